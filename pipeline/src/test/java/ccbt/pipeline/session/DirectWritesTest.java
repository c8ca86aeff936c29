package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A download with direct writes: staged pieces go to disk past the page cache, through both disk writers. */
class DirectWritesTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void downloadWithDirectWrites() throws Exception {
        assumeTrue(directSupported(tmp), "the temporary directory's file system refuses O_DIRECT");
        final Path content = tmp.resolve("seed");
        final Map<String, Long> files = new LinkedHashMap<>();
        files.put("set/a.bin", 9_000_001L);
        files.put("set/b.bin", 7_340_032L);
        SampleDataset.write(content, files, 3);
        final Metainfo meta = Swarm.torrentOf(content.resolve("set"), 256 * 1024);

        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            seeder.add(meta, content, null);
            final Engine leecher = swarm.engine("127.0.0.1", settings -> settings.directWrites(true));
            final TorrentSession session = leecher.add(meta, tmp.resolve("leech"), null);
            session.addPeers(List.of(Swarm.addressOf(seeder)));
            session.completion().get(90, TimeUnit.SECONDS);

            // every piece of a.bin but its last partial page is aligned; b.bin starts inside a piece
            assertThat(session.store.directBytesWritten()).isGreaterThanOrEqualTo(8_000_000L);
            assertThat(SampleDataset.sha256Tree(tmp.resolve("leech"))).isEqualTo(SampleDataset.sha256Tree(content));
        }
    }

    private static boolean directSupported(final Path dir) {
        try (FileChannel ch = FileChannel.open(dir.resolve(".probe"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            ExtendedOpenOption.DIRECT)) {
            return true;
        } catch (final IOException | UnsupportedOperationException e) {
            return false;
        } finally {
            try {
                Files.deleteIfExists(dir.resolve(".probe"));
            } catch (final IOException ignored) {
                // a leftover probe file in a temporary directory is harmless
            }
        }
    }
}
