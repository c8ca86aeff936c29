package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.xet.format.ChunkList;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A raw-socket peer that speaks ut_xet and lies: a chunk whose bytes do not hash to what was asked, a chunk
 * longer than any chunk may be, a chunk list that does not hash to the file's Xet hash. The leecher refuses
 * each, stores nothing from it, and bans the peer as it would for a bad piece.
 */
class XetHostilePeerTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aChunkThatFailsItsHashIsRefusedAndThePeerBanned() throws Exception {
        assertRefused(false, RawXetPeer.Chunks.BAD_HASH);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anOversizedChunkIsRefusedAndThePeerBanned() throws Exception {
        assertRefused(false, RawXetPeer.Chunks.OVERSIZED);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aChunkListNotMatchingTheFileHashIsRefusedAndThePeerBanned() throws Exception {
        assertRefused(true, RawXetPeer.Chunks.NOT_FOUND);
    }

    private void assertRefused(final boolean swapLists, final RawXetPeer.Chunks chunks) throws Exception {
        final Path content = tmp.resolve("seed/x");
        Files.createDirectories(content);
        SampleDataset.writeFile(content.resolve("data.bin"), 600_000, 5);
        SampleDataset.writeFile(content.resolve("other.bin"), 600_000, 6);
        final Metainfo meta = XetExchangeTest.xetTorrent(content, 32 * 1024);
        final ChunkList data = XetExchangeTest.listOf(content.resolve("data.bin"));
        final ChunkList other = XetExchangeTest.listOf(content.resolve("other.bin"));
        // Honest lists for the chunk lies; for the list lie, each file gets the other's list.
        final List<ChunkList> lists = swapLists ? List.of(other, data) : List.of(data, other);

        try (Swarm swarm = new Swarm(tmp.resolve("state"));
             RawXetPeer liar = new RawXetPeer(meta, true, lists, chunks, null)) {
            final Engine leecher = swarm.engine("127.0.0.1");
            final TorrentSession session = leecher.add(meta, tmp.resolve("out"), null);
            session.addPeers(List.of(liar.address()));
            liar.awaitHangUp(40_000);

            XetExchangeTest.await(() -> !session.bannedAddresses().isEmpty(), "the liar is banned");
            assertThat(session.bannedAddresses()).containsExactly(InetAddress.getLoopbackAddress());
            assertThat(leecher.metrics().counter("ccbt_xet_bad_chunks_total", "").get()).isPositive();
            assertThat(leecher.metrics().counter("ccbt_xet_chunks_fetched_total", "").get()).isZero();
            assertThat(session.stats().verifiedBytes()).isZero();
            assertThat(leecher.chunkIndex().get(data.hash(0).bytes())).as("nothing indexed").isNull();
        }
    }
}
