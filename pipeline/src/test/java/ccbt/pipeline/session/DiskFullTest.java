package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file that cannot be written (here: a link to /dev/full, which fails every write with ENOSPC) stops the
 * torrent with a clear error; nothing unwritten is recorded as verified, and the engine goes on serving.
 */
class DiskFullTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFullDiskStopsTheTorrentWithAClearError() throws Exception {
        final Path content = tmp.resolve("seed");
        final Map<String, Long> files = new LinkedHashMap<>();
        files.put("full/ok.bin", 1_000_000L);
        files.put("full/nospace.bin", 1_000_000L);
        SampleDataset.write(content, files, 21);
        final Metainfo meta = Swarm.torrentOf(content.resolve("full"), 32 * 1024);
        final Path out = tmp.resolve("out");

        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            seeder.add(meta, content, null);
            final Engine leecher = swarm.engine("127.0.0.1");
            final TorrentSession session = leecher.add(meta, out, null);
            // The store has created the file; now every write to it fails as on a full disk.
            Files.delete(out.resolve("full/nospace.bin"));
            Files.createSymbolicLink(out.resolve("full/nospace.bin"), Path.of("/dev/full"));
            session.addPeers(List.of(Swarm.addressOf(seeder)));
            assertThatThrownBy(() -> session.completion().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("nospace.bin")
                .hasMessageContaining("No space left");
            assertThat(session.state()).isEqualTo(TorrentSession.State.ERROR);
            assertThat(session.stats().error()).contains("cannot write piece");
            // Only pieces that reached the disk count: none of the second file's pieces.
            final int firstPieceOfSecondFile = (int) (1_000_000L / (32 * 1024)) + 1;
            assertThat(session.stats().verifiedBytes()).isLessThanOrEqualTo((long) firstPieceOfSecondFile * 32 * 1024);

            // The engine itself carries on: another torrent downloads fine.
            SampleDataset.write(tmp.resolve("seed2"), Map.of("other/a.bin", 300_000L), 22);
            final Metainfo other = Swarm.torrentOf(tmp.resolve("seed2/other"), 32 * 1024);
            seeder.add(other, tmp.resolve("seed2"), null);
            final TorrentSession second = leecher.add(other, tmp.resolve("out2"), null);
            second.addPeers(List.of(Swarm.addressOf(seeder)));
            second.completion().get(30, TimeUnit.SECONDS);
            assertThat(SampleDataset.sha256Tree(tmp.resolve("out2"))).isEqualTo(SampleDataset.sha256Tree(tmp.resolve("seed2")));
        }
    }
}
