package ccbt.app;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.bencode.BDict;
import ccbt.core.bencode.BList;
import ccbt.core.bencode.BString;
import ccbt.core.bencode.Bencode;
import ccbt.core.sample.SampleDataset;
import ccbt.xet.XetFileReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code ccbt} commands as a user runs them: exit codes and what they print. */
class CliTest extends CommandLineTest {
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void createInfoAndRecheck() throws Exception {
        SampleDataset.write(tmp.resolve("c"), SampleDataset.standardLayout("set", 3_000_000, 2), 5);
        final Path torrent = tmp.resolve("set.torrent");
        assertThat(ccbt("create", tmp.resolve("c/set").toString(), "--piece-size", "48KiB",
            "--tracker", "http://127.0.0.1:1/announce", "-o", torrent.toString())).isZero();
        assertThat(out).contains("set.torrent").contains("pieces of 48.0 KiB");

        assertThat(ccbt("info", torrent.toString())).isZero();
        assertThat(out).contains("name:").contains("set").contains("http://127.0.0.1:1/announce")
            .contains("README.txt").contains("empty.dat");

        assertThat(ccbt("recheck", torrent.toString(), tmp.resolve("c").toString())).isZero();
        final int pieces = (int) Math.ceil(3_000_000 / (48.0 * 1024));
        assertThat(out).contains(pieces + " of " + pieces + " pieces verified");

        final Path part = Files.list(tmp.resolve("c/set/data")).filter(Files::isRegularFile).findFirst().orElseThrow();
        try (RandomAccessFile f = new RandomAccessFile(part.toFile(), "rw")) {
            f.seek(1000);
            f.write(f.read() ^ 1);
        }
        assertThat(ccbt("recheck", torrent.toString(), tmp.resolve("c").toString())).isEqualTo(1);
        assertThat(out).contains("incomplete");
    }

    @Test
    void hostileTorrentIsRefusedWithAClearMessage() throws Exception {
        final BDict file = BDict.builder().put("length", 10)
            .put("path", new BList(List.of(BString.of(".."), BString.of("etc"), BString.of("passwd")))).build();
        final BDict info = BDict.builder().put("name", "evil").put("piece length", 16384)
            .put("pieces", new byte[20]).put("files", new BList(List.of(file))).build();
        final Path torrent = tmp.resolve("evil.torrent");
        Files.write(torrent, Bencode.encode(BDict.builder().put("info", info).build()));
        assertThat(ccbt("info", torrent.toString())).isEqualTo(1);
        assertThat(err).contains("hostile torrent").contains("..");
        assertThat(ccbt("download", torrent.toString(), "-o", tmp.resolve("dl").toString(), "--bind", "127.0.0.1",
            "--port", "0", "--state-dir", tmp.resolve("state").toString())).isEqualTo(1);
        assertThat(err).contains("hostile torrent");
        assertThat(tmp.resolve("etc")).doesNotExist();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void downloadWithoutPeersTimesOutWithAClearMessage() throws Exception {
        SampleDataset.write(tmp.resolve("c"), SampleDataset.standardLayout("lonely", 200_000, 1), 6);
        final Path torrent = tmp.resolve("lonely.torrent");
        assertThat(ccbt("create", tmp.resolve("c/lonely").toString(), "-o", torrent.toString())).isZero();
        assertThat(ccbt("download", torrent.toString(), "-o", tmp.resolve("dl").toString(), "--bind", "127.0.0.1",
            "--port", "0", "--state-dir", tmp.resolve("state").toString(), "--timeout", "2", "--metrics-file",
            tmp.resolve("final.prom").toString())).isEqualTo(2);
        assertThat(err).contains("timed out after 2 s").contains("0 of 200000 bytes verified");
        // the final metrics are written however the command ends
        assertThat(Files.readString(tmp.resolve("final.prom"))).contains("ccbt_downloaded_bytes_total 0");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void demoSeedsAndDownloadsOverLoopback() {
        assertThat(ccbt("demo", "--size", "6MiB", "--files", "2", "--piece-size", "64KiB",
            "--dir", tmp.resolve("demo").toString())).as(err).isZero();
        assertThat(out).contains("SHA-256 of every file matches").contains("hash_verify").contains("disk_write");
    }

    @Test
    void downloadsGoThroughThePageCacheUnlessDirectWritesAreAsked() throws Exception {
        final String[] base = {"a.torrent", "-o", "dl", "--state-dir", tmp.resolve("state").toString()};
        assertThat(DownloadCommand.SPEC.parse(base).network.config().directWrites()).isFalse();
        final String[] direct = java.util.stream.Stream.concat(java.util.Arrays.stream(base),
            java.util.stream.Stream.of("--direct-writes")).toArray(String[]::new);
        assertThat(DownloadCommand.SPEC.parse(direct).network.config().directWrites()).isTrue();
        assertThat(ccbt("download", "a.torrent", "-o", "dl", "--buffered-writes")).isEqualTo(2);
        assertThat(err).contains("--buffered-writes");
    }

    @Test
    void everyCommandIsListedInUsageAndAMistypedOneGetsASuggestion() {
        assertThat(ccbt("--help")).isZero();
        assertThat(out).contains("info", "create", "download", "seed", "recheck", "demo", "xet");
        assertThat(ccbt("--version")).isZero();
        assertThat(out).startsWith("ccbt ");
        assertThat(ccbt("inf", "x.torrent")).isEqualTo(2);
        assertThat(err).contains("unknown command 'inf'; did you mean info?");
        assertThat(ccbt("info")).isEqualTo(2);
        assertThat(err).contains("ccbt info: missing TORRENT").contains("Usage: ccbt info TORRENT");
        assertThat(ccbt("xet", "hash", "--help")).isZero();
        assertThat(out).startsWith("Usage: ccbt xet hash FILE");
        assertThat(ccbt("recheck", "a.torrent", "dir", "--threads", "many")).isEqualTo(2);
        assertThat(err).contains("invalid value 'many' for option '--threads'");
        assertThat(ccbt("download", "a.torrent", "--max-requests", "0")).isEqualTo(2);
        assertThat(err).contains("invalid value '0' for option '--max-requests': must be at least 1");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aotTrainingRunsEveryStepAndIsHiddenFromUsage() {
        assertThat(ccbt("aot-training", "--size", "2MiB")).as(err).isZero();
        assertThat(out).contains("SHA-256 of every file matches").contains("ccbt-demo").contains("pieces verified")
            .contains("listening ").contains(DownloadCommand.DOWNLOADED_LINE);
        assertThat(err).containsPattern("aot-training: [1-9][0-9]* metrics scrapes")
            .containsPattern("aot-training: [1-9][0-9]* tracker announces");
        assertThat(ccbt("--help")).isZero();
        assertThat(out + err).contains("recheck").doesNotContain("aot-training");
    }

    @Test
    void xetChunkPrintsTheOracleFormat() throws Exception {
        final Path file = tmp.resolve("x.bin");
        SampleDataset.writeFile(file, 300_000, 9);
        assertThat(ccbt("xet", "chunk", file.toString())).isZero();
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        XetFileReport.print(file, new PrintStream(expected, true, StandardCharsets.UTF_8));
        assertThat(out).isEqualTo(expected.toString(StandardCharsets.UTF_8));
        final String summary = out.lines().reduce((a, b) -> b).orElseThrow();
        assertThat(summary).contains("\"bytes\":300000");
        final String fileHash = summary.substring(summary.indexOf("file_hash\":\"") + 12).substring(0, 64);
        assertThat(ccbt("xet", "hash", file.toString())).isZero();
        assertThat(out).isEqualTo(fileHash + "  " + file + System.lineSeparator());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void xetStatusAndCleanupReadTheIndexADownloadFilled() throws Exception {
        final Path state = tmp.resolve("state");
        assertThat(ccbt("xet", "status", "--state-dir", state.toString())).isZero();
        assertThat(out).contains("no Xet index yet");
        try (ccbt.store.dedup.ChunkIndex index = ccbt.store.dedup.ChunkIndex.open(state.resolve("xet/chunks.cmap"), 100)) {
            final byte[] a = new byte[32];
            final byte[] b = new byte[32];
            b[0] = 1;
            index.addOrReference(a, 0, 0, 65536, System.currentTimeMillis() - java.util.concurrent.TimeUnit.DAYS.toMillis(40));
            index.addOrReference(b, 0, 65536, 1000, System.currentTimeMillis());
        }
        assertThat(ccbt("xet", "status", "--state-dir", state.toString())).isZero();
        assertThat(out).contains("chunks:     2").contains("references: 2");
        assertThat(ccbt("xet", "cleanup", "--max-age-days", "30", "--state-dir", state.toString())).isZero();
        assertThat(out).contains("removed 1 chunks not accessed for 30 days; 1 left");
    }
}
