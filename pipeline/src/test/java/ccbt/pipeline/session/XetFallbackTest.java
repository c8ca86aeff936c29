package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The pieces the Xet plan holds go to the ordinary piece download when ut_xet cannot deliver them. */
class XetFallbackTest {
    @TempDir
    Path tmp;

    private Metainfo meta;
    private Path file;

    private void data() throws Exception {
        file = tmp.resolve("seed/one.bin");
        Files.createDirectories(file.getParent());
        SampleDataset.writeFile(file, 700_000, 11);
        meta = XetExchangeTest.xetTorrent(file, 32 * 1024);
        assertThat(meta.hasXetHashes()).isTrue();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void chunksNoPeerHasAreDownloadedAsPieces() throws Exception {
        data();
        try (Swarm swarm = new Swarm(tmp.resolve("state"));
             RawXetPeer peer = new RawXetPeer(meta, true, List.of(XetExchangeTest.listOf(file)),
                 RawXetPeer.Chunks.NOT_FOUND, file)) {
            final Engine leecher = swarm.engine("127.0.0.1");
            final TorrentSession session = leecher.add(meta, tmp.resolve("out"), null);
            session.addPeers(List.of(peer.address()));
            session.completion().get(40, TimeUnit.SECONDS);
            assertThat(SampleDataset.sha256(tmp.resolve("out/one.bin"))).isEqualTo(SampleDataset.sha256(file));
            assertThat(peer.chunkRequests.get()).as("chunks asked over ut_xet first").isPositive();
            assertThat(peer.pieceRequests.get()).as("then blocks").isPositive();
            assertThat(session.bannedAddresses()).isEmpty();
            assertThat(leecher.metrics().counter("ccbt_xet_chunks_fetched_total", "").get()).isZero();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void withoutAUtXetPeerThePiecesAreDownloadedAfterTheGracePeriod() throws Exception {
        data();
        try (Swarm swarm = new Swarm(tmp.resolve("state"));
             RawXetPeer peer = new RawXetPeer(meta, false, null, RawXetPeer.Chunks.NOT_FOUND, file)) {
            final Engine leecher = swarm.engine("127.0.0.1");
            final TorrentSession session = leecher.add(meta, tmp.resolve("out"), null);
            final long start = System.nanoTime();
            session.addPeers(List.of(peer.address()));
            session.completion().get(40, TimeUnit.SECONDS);
            assertThat(System.nanoTime() - start).as("waited for a ut_xet peer first")
                .isGreaterThanOrEqualTo(XetFetch.GRACE_NANOS / 2);
            assertThat(SampleDataset.sha256(tmp.resolve("out/one.bin"))).isEqualTo(SampleDataset.sha256(file));
            assertThat(peer.chunkRequests.get()).isZero();
            assertThat(peer.pieceRequests.get()).isPositive();
        }
    }
}
