package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.telemetry.Metrics;
import ccbt.xet.format.ChunkList;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeder chunks a complete Xet torrent once, keeps the lists across a restart (no second chunking, no
 * second index reference), and serves a ccbt leecher every chunk over ut_xet.
 */
class XetSeedRestartTest {
    @TempDir
    Path tmp;

    private Engine engine(final Path state) throws Exception {
        final Engine e = new Engine(EngineConfig.builder(state).bind(InetAddress.getByName("127.0.0.1"), 0).build(),
            new Metrics());
        e.listen();
        return e;
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aRestartedSeederServesItsStoredListsAndEveryChunk() throws Exception {
        final Path content = tmp.resolve("seed");
        SampleDataset.write(content, SampleDataset.standardLayout("r", 3_000_000, 2), 21);
        final Metainfo meta = XetExchangeTest.xetTorrent(content.resolve("r"), 64 * 1024);
        final ChunkList first = XetExchangeTest.listOf(content.resolve(meta.files().get(0).relativePath()));
        final Path state = tmp.resolve("seeder-state");

        try (Engine before = engine(state)) {
            final TorrentSession seed = before.add(meta, content, null);
            XetExchangeTest.await(seed::xetListsComplete, "the seeder chunked its files");
            assertThat(before.chunkIndex().get(first.hash(0).bytes()).refCount()).isEqualTo(1);
        }
        try (Engine after = engine(state); Swarm swarm = new Swarm(tmp.resolve("leecher-state"))) {
            final TorrentSession seed = after.add(meta, content, null);
            assertThat(seed.xetListsComplete()).as("lists loaded, not chunked again").isTrue();
            assertThat(after.metrics().counter("ccbt_xet_chunks_total", "").get()).isZero();
            assertThat(after.chunkIndex().get(first.hash(0).bytes()).refCount()).as("no second reference").isEqualTo(1);

            final Engine leecher = swarm.engine("127.0.0.1");
            final TorrentSession download = leecher.add(meta, tmp.resolve("out"), null);
            download.addPeers(List.of(Swarm.addressOf(after)));
            download.completion().get(60, TimeUnit.SECONDS);
            assertThat(SampleDataset.sha256Tree(tmp.resolve("out"))).isEqualTo(SampleDataset.sha256Tree(content));
            // Nothing was on the leecher's disk: every byte came as a chunk over ut_xet, none as a block.
            assertThat(leecher.metrics().counter("ccbt_xet_fetched_bytes_total", "").get()).isEqualTo(meta.totalLength());
            assertThat(leecher.metrics().counter("ccbt_downloaded_bytes_total", "").get()).isEqualTo(meta.totalLength());
            assertThat(after.metrics().counter("ccbt_xet_chunks_served_total", "").get())
                .isEqualTo(leecher.metrics().counter("ccbt_xet_chunks_fetched_total", "").get());
            assertThat(leecher.chunkIndex().get(first.hash(0).bytes())).as("the leecher indexed what it got")
                .isNotNull();
        }
    }
}
