package ccbt.app;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.peers.Aria2Peer;
import ccbt.peers.LibtorrentPeer;
import ccbt.peers.OpenTracker;
import ccbt.peers.RealPeers;
import ccbt.peers.TestData;
import ccbt.peers.TransmissionPeer;
import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.pipeline.session.Engine;
import ccbt.pipeline.session.EngineConfig;
import ccbt.pipeline.session.TorrentSession;
import ccbt.telemetry.Metrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ccbt against real clients from Debian's packages, all on 127.0.0.1: libtorrent, transmission and aria2
 * as seeders of what ccbt downloads and as leechers of what ccbt seeds, found through opentracker (HTTP and
 * UDP) or given directly.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealPeerInteropTest {
    /** 64 MiB and a bit, six files (one empty, one smaller than a piece), 48 KiB pieces: not a power of two. */
    private static final long SIZE = (64L << 20) + 12_345;
    private static final int PIECE = 48 * 1024;
    private static final Duration TRANSFER = Duration.ofSeconds(120);

    @TempDir
    static Path tmp;

    private Path seedRoot;
    private Path content;

    @BeforeAll
    void dataset() throws Exception {
        seedRoot = tmp.resolve("seed");
        SampleDataset.write(seedRoot, SampleDataset.standardLayout("dataset", SIZE, 4), 64);
        content = seedRoot.resolve("dataset");
    }

    @Test
    @Timeout(180)
    void downloadsFromLibtorrentFoundThroughOpentrackerOverHttpAndUdp() throws Exception {
        RealPeers.require(RealPeers.LIBTORRENT);
        RealPeers.require("opentracker");
        try (OpenTracker tracker = OpenTracker.start()) {
            for (final String url : List.of(tracker.httpAnnounceUrl(), tracker.udpAnnounceUrl())) {
                final Path torrent = TestData.writeTorrent(content, PIECE, List.of(url),
                    tmp.resolve(url.startsWith("udp") ? "udp.torrent" : "http.torrent"));
                tracker.allow(TestData.infoHashHex(Files.readAllBytes(torrent)));
                try (LibtorrentPeer seeder = LibtorrentPeer.options(torrent, seedRoot, true).trackers(true).start()) {
                    seeder.awaitAnnounced(1, Duration.ofSeconds(20));
                    final Path out = tmp.resolve("out-" + (url.startsWith("udp") ? "udp" : "http"));
                    assertThat(download(torrent, out)).as("ccbt download exit code via " + url).isZero();
                    assertSameTree(out.resolve("dataset"));
                    assertThat(seeder.uploadedBytes()).isGreaterThan(0);
                }
            }
        }
    }

    @Test
    @Timeout(180)
    void downloadsFromLibtorrentGivenWithPeer() throws Exception {
        RealPeers.require(RealPeers.LIBTORRENT);
        final Path torrent = TestData.writeTorrent(content, PIECE, List.of(), tmp.resolve("direct.torrent"));
        try (LibtorrentPeer seeder = LibtorrentPeer.seed(torrent, seedRoot)) {
            final Path out = tmp.resolve("out-direct");
            assertThat(download(torrent, out, "--peer", "127.0.0.1:" + seeder.port())).isZero();
            assertSameTree(out.resolve("dataset"));
        }
    }

    @Test
    @Timeout(240)
    void downloadsFromLibtorrentAndTransmissionAtOnceAndUsesBoth() throws Exception {
        RealPeers.require(RealPeers.LIBTORRENT);
        RealPeers.require("transmission-daemon");
        final Path torrent = TestData.writeTorrent(content, PIECE, List.of(), tmp.resolve("two.torrent"));
        final Metainfo meta = Metainfo.parse(Files.readAllBytes(torrent));
        try (LibtorrentPeer lt = LibtorrentPeer.seed(torrent, seedRoot);
             TransmissionPeer tr = TransmissionPeer.seed(torrent, seedRoot)) {
            // 16 MiB/s keeps the download going for a few seconds, so that both seeders serve part of it.
            final EngineConfig config = EngineConfig.builder(tmp.resolve("two-state"))
                .bind(InetAddress.getByName("127.0.0.1"), 0).downloadRateLimit(16L << 20).build();
            try (Engine engine = new Engine(config, new Metrics())) {
                engine.listen();
                final Path out = tmp.resolve("out-two");
                final TorrentSession session = engine.add(meta, out, null);
                // Transmission never dials 127.x peers and starts sending only after several seconds: ccbt dials
                // it first and waits for its first block before dialling libtorrent.
                session.addPeers(List.of(new InetSocketAddress("127.0.0.1", tr.peerPort())));
                final long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                while (session.stats().downloadedPayload() == 0 && System.nanoTime() - deadline < 0) {
                    Thread.sleep(100);
                }
                assertThat(session.stats().downloadedPayload()).as("payload from transmission").isGreaterThan(0);
                session.addPeers(List.of(new InetSocketAddress("127.0.0.1", lt.port())));
                session.completion().get(TRANSFER.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                assertSameTree(out.resolve("dataset"));
            }
            Thread.sleep(1500); // both report their upload counters periodically
            assertThat(lt.uploadedBytes()).as("bytes libtorrent uploaded").isGreaterThan(0);
            assertThat(tr.uploadedBytes()).as("bytes transmission uploaded").isGreaterThan(0);
        }
    }

    @Test
    @Timeout(240)
    void libtorrentAndAria2DownloadFromACcbtSeeder() throws Exception {
        RealPeers.require(RealPeers.LIBTORRENT);
        RealPeers.require("aria2c");
        RealPeers.require("opentracker");
        try (OpenTracker tracker = OpenTracker.start()) {
            final Path torrent = TestData.writeTorrent(content, PIECE, List.of(tracker.httpAnnounceUrl()),
                tmp.resolve("seeded.torrent"));
            tracker.allow(TestData.infoHashHex(Files.readAllBytes(torrent)));
            final Metainfo meta = Metainfo.parse(Files.readAllBytes(torrent));
            final EngineConfig config = EngineConfig.builder(tmp.resolve("ccbt-seed-state"))
                .bind(InetAddress.getByName("127.0.0.1"), 0).build();
            try (Engine engine = new Engine(config, new Metrics())) {
                final int port = engine.listen();
                final TorrentSession seed = engine.add(meta, seedRoot, null);
                assertThat(seed.state()).isEqualTo(TorrentSession.State.SEEDING);

                final Path ltOut = Files.createDirectories(tmp.resolve("lt-out"));
                try (LibtorrentPeer leecher = LibtorrentPeer.options(torrent, ltOut, false)
                    .peer("127.0.0.1", port).start()) {
                    leecher.awaitComplete(TRANSFER);
                }
                assertSameTree(ltOut.resolve("dataset"));

                final Path ariaOut = Files.createDirectories(tmp.resolve("aria2-out"));
                try (Aria2Peer leecher = Aria2Peer.leech(torrent, ariaOut, tracker.httpAnnounceUrl())) {
                    leecher.awaitComplete(TRANSFER);
                }
                assertSameTree(ariaOut.resolve("dataset"));
                assertThat(seed.stats().uploadedPayload()).isGreaterThanOrEqualTo(2 * meta.totalLength());
            }
        }
    }

    private int download(final Path torrent, final Path out, final String... extra) {
        final List<String> args = new java.util.ArrayList<>(List.of("download", torrent.toString(),
            "-o", out.toString(), "--bind", "127.0.0.1", "--port", "0",
            "--state-dir", out.resolveSibling(out.getFileName() + "-state").toString(), "--timeout", "150"));
        args.addAll(List.of(extra));
        return Main.run(args.toArray(String[]::new));
    }

    private void assertSameTree(final Path actual) throws Exception {
        final Map<String, String> want = SampleDataset.sha256Tree(content);
        assertThat(SampleDataset.sha256Tree(actual)).as("SHA-256 of every file under " + actual).isEqualTo(want);
    }
}
