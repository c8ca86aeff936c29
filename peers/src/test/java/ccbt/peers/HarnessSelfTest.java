package ccbt.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Proves the harness with real clients only: data moves between them on loopback and arrives intact. */
@Tag("interop")
class HarnessSelfTest {
    private static final long SIZE = 8L * 1024 * 1024 + 4321;
    private static final long SMALL_SIZE = 4L * 1024 * 1024 + 1234;
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

    @Test
    @Timeout(60)
    void libtorrentSeederToAria2LeecherThroughOpentrackerHttp() throws Exception {
        RealPeers.require(RealPeers.LIBTORRENT);
        RealPeers.require("aria2c");
        RealPeers.require("opentracker");
        final Path content = TestData.multiFile(tmp.resolve("seed").resolve("data"), SIZE, 12);
        final Path dl = Files.createDirectories(tmp.resolve("dl"));
        try (OpenTracker tracker = OpenTracker.start()) {
            // 80 KiB: not a power of two either
            final Path torrent = TestData.writeTorrent(content, 80 * 1024,
                List.of(tracker.httpAnnounceUrl(), tracker.udpAnnounceUrl()), tmp.resolve("t.torrent"));
            final String hash = TestData.infoHashHex(Files.readAllBytes(torrent));
            assertThat(tracker.announceRefused(hash)).as("opentracker whitelists before allow()").isTrue();
            tracker.allow(hash);
            try (LibtorrentPeer seeder = LibtorrentPeer.seed(torrent, tmp.resolve("seed"))) {
                // both tiers, HTTP and UDP (BEP 15), answer libtorrent
                seeder.awaitAnnounced(2, Duration.ofSeconds(15));
                try (Aria2Peer leecher = Aria2Peer.leech(torrent, dl, tracker.httpAnnounceUrl())) {
                    leecher.awaitComplete(TRANSFER);
                }
                assertSameTree(content, dl.resolve("data"));
                assertThat(seeder.errors()).isEmpty();
            }
        }
    }

    @Test
    @Timeout(60)
    void libtorrentSeederDialsTransmissionLeecher() throws Exception {
        RealPeers.require(RealPeers.LIBTORRENT);
        RealPeers.require("transmission-daemon");
        final Path content = TestData.multiFile(tmp.resolve("seed").resolve("data"), SIZE, 13);
        final Path torrent = TestData.writeTorrent(content, 64 * 1024, List.of(), tmp.resolve("t.torrent"));
        final Path dl = Files.createDirectories(tmp.resolve("dl"));
        try (TransmissionPeer leecher = TransmissionPeer.leech(torrent, dl);
             // plaintext dials: transmission closed libtorrent's first (MSE) dial, costing a retry
             LibtorrentPeer seeder = LibtorrentPeer.options(torrent, tmp.resolve("seed"), true)
                 .setting("out_enc_policy", "2").start()) {
            seeder.connectTo("127.0.0.1", leecher.peerPort()); // transmission never dials 127.x itself
            leecher.awaitPeers(1, TRANSFER);
            leecher.awaitComplete(TRANSFER);
            // transmission never creates 0-byte files
            assertThat(TestData.sha256Tree(dl.resolve("data"))).doesNotContainKey("empty.bin");
            TestData.assertSameTreeIgnoringEmptyFiles(content, dl.resolve("data"));
            seeder.process().await("seeder upload count", Duration.ofSeconds(5), () -> seeder.uploadedBytes() >= SIZE);
            assertThat(leecher.status().path("downloadedEver").asLong()).isGreaterThanOrEqualTo(SIZE);
        }
    }

    @Test
    @Timeout(60)
    void aria2SeederIsDialledByLibtorrentLeecher() throws Exception {
        RealPeers.require(RealPeers.LIBTORRENT);
        RealPeers.require("aria2c");
        final Path content = TestData.multiFile(tmp.resolve("seed").resolve("data"), SMALL_SIZE, 14);
        final Path torrent = TestData.writeTorrent(content, 32 * 1024, List.of(), tmp.resolve("t.torrent"));
        final Path dl = Files.createDirectories(tmp.resolve("dl"));
        try (Aria2Peer seeder = Aria2Peer.seed(torrent, tmp.resolve("seed"))) {
            seeder.awaitSeeding(Duration.ofSeconds(20));
            try (LibtorrentPeer leecher = LibtorrentPeer.options(torrent, dl, false).peer("127.0.0.1", seeder.port())
                .start()) {
                leecher.awaitComplete(TRANSFER);
            }
            assertSameTree(content, dl.resolve("data"));
        }
    }

    @Test
    @Timeout(60)
    void transmissionSeederIsDialledByLibtorrentLeecher() throws Exception {
        RealPeers.require(RealPeers.LIBTORRENT);
        RealPeers.require("transmission-daemon");
        final Path content = TestData.multiFile(tmp.resolve("seed").resolve("data"), SMALL_SIZE, 15);
        final Path torrent = TestData.writeTorrent(content, 48 * 1024, List.of(), tmp.resolve("t.torrent"));
        final Path dl = Files.createDirectories(tmp.resolve("dl"));
        try (TransmissionPeer seeder = TransmissionPeer.seed(torrent, tmp.resolve("seed"))) {
            try (LibtorrentPeer leecher = LibtorrentPeer.options(torrent, dl, false)
                .peer("127.0.0.1", seeder.peerPort()).setting("out_enc_policy", "2").start()) {
                leecher.awaitComplete(TRANSFER);
            }
            assertSameTree(content, dl.resolve("data"));
            assertThat(seeder.uploadedBytes()).isGreaterThanOrEqualTo(SMALL_SIZE);
        }
    }

    @Test
    @Timeout(60)
    void libtorrentMagnetLeecherFetchesMetadataFromLibtorrentSeeder() throws Exception {
        RealPeers.require(RealPeers.LIBTORRENT);
        final Path content = TestData.multiFile(tmp.resolve("seed").resolve("data"), SMALL_SIZE, 16);
        final Path torrent = TestData.writeTorrent(content, 64 * 1024, List.of(), tmp.resolve("t.torrent"));
        final String hash = TestData.infoHashHex(Files.readAllBytes(torrent));
        final Path dl = Files.createDirectories(tmp.resolve("dl"));
        try (LibtorrentPeer seeder = LibtorrentPeer.seed(torrent, tmp.resolve("seed"));
             LibtorrentPeer leecher = LibtorrentPeer.magnetOptions("magnet:?xt=urn:btih:" + hash, dl)
                 .peer("127.0.0.1", seeder.port()).start()) {
            assertThat(leecher.infoHashHex()).isEqualTo(hash);
            leecher.awaitComplete(TRANSFER);
            assertSameTree(content, dl.resolve("data"));
        }
    }

    static void assertSameTree(final Path expected, final Path actual) {
        TestData.assertSameTree(expected, actual);
    }
}
