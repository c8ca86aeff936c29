package ccbt.app;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.create.TorrentCreator;
import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.pipeline.session.Engine;
import ccbt.pipeline.session.EngineConfig;
import ccbt.pipeline.session.TorrentSession;
import ccbt.store.ResumeData;
import ccbt.telemetry.Metrics;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a downloading {@code ccbt} process, then a restart: pieces the first run verified are
 * not fetched again (counted on the seeder's side), and the result is correct.
 */
class KillResumeTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void restartAfterKillSkipsVerifiedPieces() throws Exception {
        final Path content = tmp.resolve("seed");
        final long total = 40L << 20;
        SampleDataset.writeFile(content.resolve("k/a.bin"), total - 5_000_000, 11);
        SampleDataset.writeFile(content.resolve("k/b.bin"), 5_000_000, 12);
        final Path torrentFile = tmp.resolve("k.torrent");
        Files.write(torrentFile, new TorrentCreator(content.resolve("k")).pieceSize(64 * 1024).create());
        final Metainfo meta = Metainfo.parse(Files.readAllBytes(torrentFile));

        final EngineConfig seedConfig = EngineConfig.builder(tmp.resolve("seed-state"))
            .bind(InetAddress.getByName("127.0.0.1"), 0).build();
        try (Engine seeder = new Engine(seedConfig, new Metrics())) {
            final int port = seeder.listen();
            final TorrentSession seed = seeder.add(meta, content, null);
            final Path out = tmp.resolve("out");
            final Path state = tmp.resolve("leech-state");

            // First run, slowed to 4 MiB/s so that it is surely killed half-way.
            final Process first = ccbt("download", torrentFile.toString(), "-o", out.toString(),
                "--peer", "127.0.0.1:" + port, "--bind", "127.0.0.1", "--port", "0",
                "--state-dir", state.toString(), "--max-download-rate", "4MiB");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seed.stats().uploadedPayload() < total / 3 && System.nanoTime() - deadline < 0) {
                assertThat(first.isAlive()).as("first run ended early: " + tail(first)).isTrue();
                Thread.sleep(100);
            }
            Thread.sleep(2500); // one resume save interval
            first.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
            final long servedBeforeKill = seed.stats().uploadedPayload();

            final Path resume = onlyResumeFile(state);
            final ResumeData saved = ResumeData.load(resume);
            final int verifiedPieces = saved.bitfield().cardinality();
            assertThat(verifiedPieces).as("pieces verified before the kill").isGreaterThan(0);
            assertThat(verifiedPieces).isLessThan(meta.pieceCount());

            final Process second = ccbt("download", torrentFile.toString(), "-o", out.toString(),
                "--peer", "127.0.0.1:" + port, "--bind", "127.0.0.1", "--port", "0",
                "--state-dir", state.toString(), "--timeout", "90");
            assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).as(tail(second)).isZero();
            assertThat(last.output().lines()).as("the line a caller times the download to")
                .contains(DownloadCommand.DOWNLOADED_LINE);

            final long servedAfterRestart = seed.stats().uploadedPayload() - servedBeforeKill;
            final long missingAtRestart = total - (long) verifiedPieces * meta.pieceLength();
            // Endgame may fetch a few blocks twice; a re-download of verified pieces would be far above this.
            assertThat(servedAfterRestart).isLessThanOrEqualTo(missingAtRestart + 8L * meta.pieceLength());
            assertThat(SampleDataset.sha256Tree(out)).isEqualTo(SampleDataset.sha256Tree(content));
        }
    }

    private static Path onlyResumeFile(final Path state) throws Exception {
        try (Stream<Path> s = Files.walk(state)) {
            final List<Path> found = s.filter(p -> p.toString().endsWith(".resume")).toList();
            assertThat(found).hasSize(1);
            return found.get(0);
        }
    }

    private int runs;

    private Process ccbt(final String... args) throws Exception {
        last = CcbtProcess.start(tmp.resolve("ccbt-" + runs++ + ".log"), args);
        return last.process;
    }

    private CcbtProcess last;

    private String tail(final Process p) {
        return last.process == p ? last.tail() : "(output of an earlier run)";
    }
}
