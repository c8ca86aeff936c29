package ccbt.pipeline.picker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A small swarm in lock-step rounds: 200 pieces, five peers with random bitfields and different speeds,
 * one that disconnects and comes back, a piece that fails its hash once. The picker must finish the
 * torrent and never have a block delivered more often than the endgame allows.
 */
class PickerSimulationTest {
    private static final int PIECES = 200;
    private static final int BPP = 4;
    private static final int LAST = 3;
    private static final int DEPTH = 8;
    private static final int FAILING_PIECE = 17;

    /** A simulated peer: requests queue FIFO; the first {@code speed} of them are on the wire (not cancellable). */
    private static final class SimPeer {
        final FakePeer view;
        final int speed;
        final ArrayDeque<Long> queue = new ArrayDeque<>();
        boolean connected = true;

        SimPeer(final FakePeer view, final int speed) {
            this.view = view;
            this.speed = speed;
        }
    }

    @Test
    @Timeout(20)
    void downloadsEverythingWithBoundedDuplicates() {
        final Random rnd = new Random(2026);
        final PiecePicker picker = new PiecePicker(PIECES, BPP, LAST, new Random(99));
        picker.setMaxPartialPieces(12);
        final SimPeer[] peers = new SimPeer[5];
        for (int i = 0; i < peers.length; i++) {
            final FakePeer v = new FakePeer(i, PIECES);
            for (int p = 0; p < PIECES; p++) {
                if (rnd.nextInt(10) < 5) {
                    v.bits.set(p);
                }
            }
            peers[i] = new SimPeer(v, 1 + i);
        }
        for (int p = 0; p < PIECES; p++) {
            // every piece somewhere, so that the download can finish
            peers[rnd.nextInt(peers.length)].view.bits.set(p);
        }
        for (final SimPeer s : peers) {
            picker.peerHasBitfield(s.view.bits);
        }
        final int[][] delivered = new int[PIECES][BPP];
        boolean failedOnce = false;
        boolean sawEndgame = false;
        int duplicates = 0;
        int rounds = 0;
        while (!picker.isComplete() && rounds < 5000) {
            rounds++;
            final SimPeer flaky = peers[2];
            if (rounds == 30) { // disconnect: every request back, availability gone
                for (final long k : flaky.queue) {
                    picker.requestCancelled((int) (k >>> 32), (int) k);
                }
                flaky.queue.clear();
                flaky.view.outstanding.clear();
                picker.peerLostBitfield(flaky.view.bits);
                flaky.connected = false;
            } else if (rounds == 60) {
                picker.peerHasBitfield(flaky.view.bits);
                flaky.connected = true;
            }
            for (final SimPeer s : peers) {
                if (!s.connected) {
                    continue;
                }
                picker.pickBlocks(s.view, DEPTH - s.queue.size(), (piece, block) -> {
                    final long k = FakePeer.key(piece, block);
                    assertThat(s.view.outstanding.add(k)).isTrue();
                    s.queue.add(k);
                });
            }
            sawEndgame |= picker.isEndgame();
            for (int p = 0; p < PIECES; p++) {
                for (int b = 0; b < picker.blockCount(p); b++) {
                    int asked = 0;
                    for (final SimPeer s : peers) {
                        asked += s.view.outstanding.contains(FakePeer.key(p, b)) ? 1 : 0;
                    }
                    assertThat(asked).as("peers asked for %d/%d", p, b).isLessThanOrEqualTo(2);
                }
            }
            for (final SimPeer s : peers) {
                for (int i = 0; i < s.speed && !s.queue.isEmpty(); i++) {
                    final long k = s.queue.poll();
                    s.view.outstanding.remove(k);
                    final int piece = (int) (k >>> 32);
                    final int block = (int) k;
                    delivered[piece][block]++;
                    if (!picker.blockReceived(piece, block)) {
                        duplicates++;
                        continue;
                    }
                    cancelElsewhere(peers, s, picker, k);
                    if (picker.allBlocksReceived(piece)) {
                        if (piece == FAILING_PIECE && !failedOnce) {
                            failedOnce = true;
                            picker.pieceFailed(piece);
                            for (int b = 0; b < picker.blockCount(piece); b++) {
                                delivered[piece][b] = 0;
                            }
                        } else {
                            picker.pieceVerified(piece);
                        }
                    }
                }
            }
            picker.checkInvariants();
        }
        assertThat(picker.isComplete()).as("complete after %d rounds", rounds).isTrue();
        assertThat(failedOnce).isTrue();
        assertThat(sawEndgame).isTrue();
        for (int p = 0; p < PIECES; p++) {
            for (int b = 0; b < picker.blockCount(p); b++) {
                assertThat(delivered[p][b]).as("deliveries of %d/%d", p, b).isBetween(1, 2);
            }
        }
        // Duplicates only come from the endgame: a handful of blocks, not a fraction of the torrent.
        assertThat(duplicates).isLessThan(40);
        assertThat(rounds).isLessThan(1000);
    }

    /** The endgame's CANCEL: requests still queued at other peers are withdrawn; those on the wire arrive anyway. */
    private static void cancelElsewhere(final SimPeer[] peers, final SimPeer from, final PiecePicker picker,
                                        final long k) {
        for (final SimPeer other : peers) {
            if (other == from || !other.view.outstanding.contains(k)) {
                continue;
            }
            int index = 0;
            for (final Iterator<Long> it = other.queue.iterator(); it.hasNext(); index++) {
                if (it.next() == k) {
                    if (index >= other.speed) {
                        it.remove();
                        other.view.outstanding.remove(k);
                        picker.requestCancelled((int) (k >>> 32), (int) k);
                    }
                    break;
                }
            }
        }
    }
}
