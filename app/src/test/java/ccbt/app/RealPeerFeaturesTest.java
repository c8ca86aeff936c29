package ccbt.app;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.peers.LibtorrentPeer;
import ccbt.peers.PieceOrder;
import ccbt.peers.RealPeers;
import ccbt.peers.TestData;
import ccbt.pipeline.picker.RequestPipeline;
import ccbt.pipeline.session.Engine;
import ccbt.pipeline.session.EngineConfig;
import ccbt.pipeline.session.TorrentSession;
import ccbt.telemetry.Metrics;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Command-line features proved against a real libtorrent on 127.0.0.1: {@code --sequential} fetches pieces in
 * order, {@code --max-upload-rate} holds a libtorrent leecher back, and {@code --transport epoll|nio} serves it
 * from file regions. Each engine runs in-process with the configuration its command builds from the flags,
 * so that what it does can be watched from inside (piece completions, metrics).
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealPeerFeaturesTest {
    /** 20 MiB and a bit over six files (one empty, one smaller than a piece); 32 KiB pieces. */
    private static final long SIZE = (20L << 20) + 4_321;
    private static final int PIECE = 32 * 1024;
    private static final Duration TRANSFER = Duration.ofSeconds(25);

    @TempDir
    static Path tmp;

    private Path seedRoot;
    private Path content;
    private Path torrent;
    private Metainfo meta;

    @BeforeAll
    void dataset() throws Exception {
        seedRoot = tmp.resolve("seed");
        SampleDataset.write(seedRoot, SampleDataset.standardLayout("features", SIZE, 3), 71);
        content = seedRoot.resolve("features");
        torrent = TestData.writeTorrent(content, PIECE, List.of(), tmp.resolve("features.torrent"));
        meta = Metainfo.parse(Files.readAllBytes(torrent));
    }

    @Test
    @Timeout(60)
    void sequentialDownloadFromLibtorrentCompletesPiecesInOrder() throws Exception {
        RealPeers.require(RealPeers.LIBTORRENT);
        final Path out = tmp.resolve("out-seq");
        final DownloadCommand command = DownloadCommand.SPEC.parse(torrent.toString(), "-o", out.toString(),
            "--sequential", "--bind", "127.0.0.1", "--port", "0", "--state-dir", tmp.resolve("seq-state").toString());
        final EngineConfig config = command.network.config();
        assertThat(config.sequential()).isTrue();
        try (LibtorrentPeer seeder = LibtorrentPeer.seed(torrent, seedRoot);
             Engine engine = new Engine(config, new Metrics())) {
            engine.listen();
            final TorrentSession session = engine.add(meta, out, null);
            final List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            session.onPieceVerified(order::add);
            session.addPeers(List.of(new InetSocketAddress("127.0.0.1", seeder.port())));
            session.completion().get(TRANSFER.toSeconds(), TimeUnit.SECONDS);
            assertSameTree(out.resolve("features"));

            assertThat(order).as("every piece reported once")
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, meta.pieceCount()).boxed().toList());
            // Pieces in flight at once: at most a full request pipeline of 16 KiB blocks. Rarest first (every
            // piece equally rare with one seeder) would complete pieces hundreds ahead of the first missing one.
            final int inFlight = (int) ((64L * RequestPipeline.BLOCK_BYTES + PIECE - 1) / PIECE);
            assertThat(PieceOrder.furthestAheadOfFirstMissing(order, meta.pieceCount()))
                .as("pieces completed ahead of the first missing one, of " + meta.pieceCount())
                .isLessThanOrEqualTo(2 * inFlight);
        }
    }

    @Test
    @Timeout(60)
    void maxUploadRateHoldsALibtorrentLeecherBack() throws Exception {
        RealPeers.require(RealPeers.LIBTORRENT);
        final long limit = 4L << 20;
        final EngineConfig config = seedConfig("up-state", "--max-upload-rate", "4MiB");
        assertThat(config.uploadRateLimit()).isEqualTo(limit);
        try (Engine engine = new Engine(config, new Metrics())) {
            final int port = engine.listen();
            final TorrentSession seed = engine.add(meta, seedRoot, null);
            assertThat(seed.state()).isEqualTo(TorrentSession.State.SEEDING);
            final Path ltOut = Files.createDirectories(tmp.resolve("lt-up"));
            try (LibtorrentPeer leecher = LibtorrentPeer.options(torrent, ltOut, false).trackers(false)
                .peer("127.0.0.1", port).start()) {
                // Timed from the first byte libtorrent reports, so that start-up and connecting do not count.
                final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (leecher.doneBytes() <= 0 && System.nanoTime() - deadline < 0) {
                    Thread.sleep(20);
                }
                final long start = System.nanoTime();
                final long doneAtStart = leecher.doneBytes();
                assertThat(doneAtStart).as("libtorrent got a first byte").isPositive();
                leecher.awaitComplete(TRANSFER);
                final double seconds = (System.nanoTime() - start) / 1e9;
                // A lower bound on time only: the rest of the data at the limit, less a fifth for the
                // limiter's burst and the progress reports' 200 ms granularity.
                final double atLimit = (double) (meta.totalLength() - doneAtStart) / limit;
                assertThat(seconds).as("seconds for %d bytes at %d B/s", meta.totalLength() - doneAtStart, limit)
                    .isGreaterThanOrEqualTo(0.8 * atLimit);
            }
            assertSameTree(ltOut.resolve("features"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "nio"})
    @Timeout(60)
    void fileRegionUploadsServeALibtorrentLeecher(final String transport) throws Exception {
        RealPeers.require(RealPeers.LIBTORRENT);
        final EngineConfig config = seedConfig("fr-state-" + transport, "--transport", transport);
        try (Engine engine = new Engine(config, new Metrics())) {
            final int port = engine.listen();
            assertThat(engine.transport()).isEqualTo(transport);
            engine.add(meta, seedRoot, null);
            final Path ltOut = Files.createDirectories(tmp.resolve("lt-" + transport));
            try (LibtorrentPeer leecher = LibtorrentPeer.options(torrent, ltOut, false).trackers(false)
                .peer("127.0.0.1", port).start()) {
                // libtorrent checks every piece's SHA-1 before it counts it done.
                leecher.awaitComplete(TRANSFER);
                assertThat(leecher.errors()).isEmpty();
            }
            assertSameTree(ltOut.resolve("features"));
            final long fromFiles = engine.metrics().counter("ccbt_uploaded_file_region_bytes_total", "").get();
            assertThat(fromFiles).as("bytes sent as file regions over " + transport)
                .isGreaterThanOrEqualTo(meta.totalLength() / 2);
        }
    }

    /** The engine configuration {@code ccbt seed} builds from these flags (on loopback, own state directory). */
    private EngineConfig seedConfig(final String state, final String... flags) throws Exception {
        final List<String> args = new ArrayList<>(List.of(torrent.toString(), seedRoot.toString(),
            "--bind", "127.0.0.1", "--port", "0", "--state-dir", tmp.resolve(state).toString()));
        args.addAll(List.of(flags));
        final SeedCommand command = SeedCommand.SPEC.parse(args.toArray(String[]::new));
        return command.network.config();
    }

    private void assertSameTree(final Path actual) throws Exception {
        final Map<String, String> want = SampleDataset.sha256Tree(content);
        assertThat(SampleDataset.sha256Tree(actual)).as("SHA-256 of every file under " + actual).isEqualTo(want);
    }
}
