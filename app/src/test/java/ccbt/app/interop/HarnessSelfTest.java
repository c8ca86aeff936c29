package ccbt.app.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Proves the harness with real clients only: data moves between them on loopback and arrives intact. */
@Tag("interop")
class HarnessSelfTest {
    private static final long SIZE = 8L * 1024 * 1024 + 4321;
    private static final Duration TRANSFER = Duration.ofSeconds(40);

    @TempDir
    Path tmp;

    @Test
    @Timeout(60)
    void libtorrentSeederToLibtorrentLeecherByDirectConnect() throws Exception {
        RealPeers.require(RealPeers.LIBTORRENT);
        final Path content = TestData.multiFile(tmp.resolve("seed").resolve("data"), SIZE, 11);
        // 48 KiB: not a power of two, on purpose
        final Path torrent = TestData.writeTorrent(content, 48 * 1024, List.of(), tmp.resolve("t.torrent"));
        final Path dl = Files.createDirectories(tmp.resolve("dl"));
        try (LibtorrentPeer seeder = LibtorrentPeer.seed(torrent, tmp.resolve("seed"));
             LibtorrentPeer leecher = LibtorrentPeer.options(torrent, dl, false).peer("127.0.0.1", seeder.port())
                 .start()) {
            assertThat(leecher.infoHashHex()).isEqualTo(TestData.infoHashHex(Files.readAllBytes(torrent)));
            leecher.awaitComplete(TRANSFER);
            assertSameTree(content, dl.resolve("data"));
            // the seeder reports its upload every 200 ms
            seeder.process().await("seeder upload count", Duration.ofSeconds(5), () -> seeder.uploadedBytes() >= SIZE);
        }
    }

    static void assertSameTree(final Path expected, final Path actual) {
        final Map<String, String> want = TestData.sha256Tree(expected);
        assertThat(TestData.sha256Tree(actual)).as("SHA-256 of every file under " + actual).isEqualTo(want);
    }
}
