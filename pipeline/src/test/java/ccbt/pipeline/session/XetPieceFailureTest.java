package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.bencode.BString;
import ccbt.core.create.TorrentCreator;
import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.xet.format.ChunkList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A torrent whose Xet metadata describes other bytes than its pieces: every chunk the ut_xet peer sends
 * passes its BLAKE3 check, yet the pieces those chunks fill where the bytes differ fail their SHA-1. Exactly
 * those pieces go back to the ordinary piece download, the torrent completes with the bytes its piece hashes
 * name, and {@code ccbt_xet_piece_failures_total} counts each failed piece.
 */
class XetPieceFailureTest {
    private static final int PIECE = 32 * 1024;
    private static final int LENGTH = 700_000;
    private static final int EDIT_FROM = 300_000;
    private static final int EDIT_TO = 340_000;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void piecesFilledFromChunksThatFailTheirSha1AreDownloadedAsPieces() throws Exception {
        final Path real = tmp.resolve("seed/one.bin");
        final Path xetView = tmp.resolve("xet/one.bin");
        Files.createDirectories(real.getParent());
        Files.createDirectories(xetView.getParent());
        SampleDataset.writeFile(real, LENGTH, 31);
        final byte[] other = Files.readAllBytes(real);
        final byte[] edit = new byte[EDIT_TO - EDIT_FROM];
        new Random(32).nextBytes(edit);
        System.arraycopy(edit, 0, other, EDIT_FROM, edit.length);
        Files.write(xetView, other);
        final ChunkList xetList = XetExchangeTest.listOf(xetView);
        // Piece hashes of the real bytes, the Xet hash of the edited ones.
        final Metainfo meta = new TorrentCreator(real).pieceSize(PIECE)
            .fileExtras(f -> Map.of(Metainfo.XET_HASH_KEY, BString.of(xetList.fileHash().bytes())))
            .createMetainfo();
        final Set<Integer> differing = new TreeSet<>();
        final byte[] realBytes = Files.readAllBytes(real);
        for (int p = 0; p * PIECE < LENGTH; p++) {
            final int from = p * PIECE;
            final int to = Math.min(LENGTH, from + PIECE);
            if (!Arrays.equals(realBytes, from, to, other, from, to)) {
                differing.add(p);
            }
        }
        assertThat(differing).as("the edit spans a few pieces, not all").hasSizeBetween(2, 3);

        try (Swarm swarm = new Swarm(tmp.resolve("state"));
             RawXetPeer peer = new RawXetPeer(meta, RawXetPeer.XET_ID, List.of(xetList), RawXetPeer.Chunks.SERVE,
                 xetView, real)) {
            final Engine leecher = swarm.engine("127.0.0.1");
            final TorrentSession session = leecher.add(meta, tmp.resolve("out"), null);
            session.addPeers(List.of(peer.address()));
            session.completion().get(40, TimeUnit.SECONDS);

            assertThat(SampleDataset.sha256(tmp.resolve("out/one.bin"))).isEqualTo(SampleDataset.sha256(real));
            assertThat(leecher.metrics().counter("ccbt_xet_piece_failures_total", "").get())
                .isEqualTo(differing.size());
            assertThat(leecher.metrics().counter("ccbt_xet_chunks_fetched_total", "").get())
                .as("the rest came as chunks").isPositive();
            assertThat(leecher.metrics().counter("ccbt_xet_bad_chunks_total", "").get())
                .as("every chunk was true to its hash").isZero();
            assertThat(new TreeSet<>(peer.piecesRequested)).as("only the failed pieces were downloaded as pieces")
                .isEqualTo(differing);
            assertThat(session.bannedAddresses()).isEmpty();
        }
    }
}
