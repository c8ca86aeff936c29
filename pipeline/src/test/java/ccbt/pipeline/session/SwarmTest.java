package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.peers.PieceOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Whole engines on loopback: one seeder, three leechers that also trade with each other. */
class SwarmTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void oneSeederThreeLeechersComplete() throws Exception {
        final Path content = tmp.resolve("seed");
        final Map<String, Long> files = new LinkedHashMap<>();
        files.put("set/a.bin", 5_000_000L);
        files.put("set/empty", 0L);
        files.put("set/small", 1_000L);
        files.put("set/sub/b.bin", 7_340_033L);
        files.put("set/sub/c.bin", 3_000_001L);
        SampleDataset.write(content, files, 42);
        final Metainfo meta = Swarm.torrentOf(content.resolve("set"), 48 * 1024);

        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            final TorrentSession seed = seeder.add(meta, content, null);
            assertThat(seed.state()).isEqualTo(TorrentSession.State.SEEDING);

            final Engine[] leechers = new Engine[3];
            final TorrentSession[] sessions = new TorrentSession[3];
            for (int i = 0; i < 3; i++) {
                leechers[i] = swarm.engine("127.0.0.1");
                sessions[i] = leechers[i].add(meta, tmp.resolve("leech" + i), null);
            }
            for (int i = 0; i < 3; i++) {
                sessions[i].addPeers(List.of(Swarm.addressOf(seeder)));
                for (int j = 0; j < i; j++) {
                    sessions[i].addPeers(List.of(Swarm.addressOf(leechers[j])));
                }
            }
            CompletableFuture.allOf(sessions[0].completion(), sessions[1].completion(), sessions[2].completion())
                .get(90, TimeUnit.SECONDS);

            final Map<String, String> expected = SampleDataset.sha256Tree(content);
            for (int i = 0; i < 3; i++) {
                assertThat(SampleDataset.sha256Tree(tmp.resolve("leech" + i))).isEqualTo(expected);
                assertThat(sessions[i].stats().verifiedBytes()).isEqualTo(meta.totalLength());
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void sequentialDownloadIntoPreallocatedFiles() throws Exception {
        final Path content = tmp.resolve("seed");
        SampleDataset.write(content, SampleDataset.standardLayout("seq", 3_000_000, 2), 43);
        final Metainfo meta = Swarm.torrentOf(content.resolve("seq"), 32 * 1024);
        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            seeder.add(meta, content, null);
            final EngineConfig config = EngineConfig.builder(tmp.resolve("state/seq"))
                .bind(java.net.InetAddress.getByName("127.0.0.1"), 0).sequential(true)
                .fullPreallocation(true).build();
            try (Engine leecher = new Engine(config, new ccbt.telemetry.Metrics())) {
                leecher.listen();
                final TorrentSession session = leecher.add(meta, tmp.resolve("out"), null);
                // Full preallocation: every file has its final size before a byte is downloaded.
                for (final var f : meta.files()) {
                    assertThat(java.nio.file.Files.size(tmp.resolve("out").resolve(f.relativePath())))
                        .isEqualTo(f.length());
                }
                final List<Integer> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
                session.onPieceVerified(order::add);
                session.addPeers(List.of(Swarm.addressOf(seeder)));
                session.completion().get(30, TimeUnit.SECONDS);
                assertThat(SampleDataset.sha256Tree(tmp.resolve("out"))).isEqualTo(SampleDataset.sha256Tree(content));
                assertThat(order).as("every piece reported once")
                    .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, meta.pieceCount())
                        .boxed().toList());
                // In order, give or take what is in flight: at most 64 blocks of requests = 32 pieces, twice.
                assertThat(PieceOrder.furthestAheadOfFirstMissing(order, meta.pieceCount())).isLessThanOrEqualTo(64);
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anUploadLimitHoldsTheSeederBack() throws Exception {
        final Path content = tmp.resolve("seed");
        SampleDataset.write(content, SampleDataset.standardLayout("up", 4_000_000, 1), 44);
        final Metainfo meta = Swarm.torrentOf(content.resolve("up"), 32 * 1024);
        final EngineConfig config = EngineConfig.builder(tmp.resolve("state/up-seed"))
            .bind(java.net.InetAddress.getByName("127.0.0.1"), 0).uploadRateLimit(2L << 20).build();
        try (Swarm swarm = new Swarm(tmp.resolve("state"));
             Engine seeder = new Engine(config, new ccbt.telemetry.Metrics())) {
            seeder.listen();
            seeder.add(meta, content, null);
            final Engine leecher = swarm.engine("127.0.0.1");
            final TorrentSession session = leecher.add(meta, tmp.resolve("out"), null);
            final long start = System.nanoTime();
            session.addPeers(List.of(Swarm.addressOf(seeder)));
            session.completion().get(40, TimeUnit.SECONDS);
            final double seconds = (System.nanoTime() - start) / 1e9;
            // 4 MB at 2 MiB/s, less the 0.5 MiB burst: at least 1.5 s whatever the machine's speed.
            assertThat(seconds).isGreaterThan(1.5);
            assertThat(SampleDataset.sha256Tree(tmp.resolve("out"))).isEqualTo(SampleDataset.sha256Tree(content));
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"nio", "epoll"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void seedersOnEpollAndNioSendBlocksFromTheFiles(final String transport) throws Exception {
        final Path content = tmp.resolve("seed");
        // Small odd-sized files: many blocks span two files (read into buffers), the rest go as file regions.
        final java.util.Map<String, Long> files = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            files.put("zc/f" + i + ".bin", 100_000L + 7_919L * i);
        }
        SampleDataset.write(content, files, 45);
        final Metainfo meta = Swarm.torrentOf(content.resolve("zc"), 64 * 1024);
        final EngineConfig config = EngineConfig.builder(tmp.resolve("state/zc-" + transport))
            .bind(java.net.InetAddress.getByName("127.0.0.1"), 0).transport(transport).build();
        try (Swarm swarm = new Swarm(tmp.resolve("state"));
             Engine seeder = new Engine(config, new ccbt.telemetry.Metrics())) {
            seeder.listen();
            assertThat(seeder.transport()).isEqualTo(transport);
            seeder.add(meta, content, null);
            final Engine leecher = swarm.engine("127.0.0.1");
            final TorrentSession session = leecher.add(meta, tmp.resolve("out"), null);
            session.addPeers(List.of(Swarm.addressOf(seeder)));
            session.completion().get(40, TimeUnit.SECONDS);
            assertThat(SampleDataset.sha256Tree(tmp.resolve("out"))).isEqualTo(SampleDataset.sha256Tree(content));
            final long fromFiles = seeder.metrics().counter("ccbt_uploaded_file_region_bytes_total", "").get();
            final long all = seeder.metrics().counter("ccbt_uploaded_bytes_total", "").get();
            assertThat(fromFiles).as("bytes sent as file regions").isPositive().isLessThan(all);
        }
    }
}
