package ccbt.pipeline.picker;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random sequences of what a session does to a picker — peers connect, announce, get picked for, deliver,
 * time out, choke, disconnect; pieces pass or fail — checked against a model after every step.
 */
class PiecePickerPropertyTest {
    private static final int PIECES = 12;
    private static final int BPP = 3;
    private static final int LAST = 2;
    private static final int PEERS = 4;

    @Property(tries = 300)
    void invariantsHoldUnderAnyOperationSequence(
        @ForAll @Size(max = 250) final List<@IntRange(min = 0, max = Integer.MAX_VALUE) Integer> codes,
        @ForAll @IntRange(min = 1, max = 6) final int maxPartial,
        @ForAll final boolean sequential,
        @ForAll final long seed) {
        final PiecePicker picker = new PiecePicker(PIECES, BPP, LAST, new Random(seed));
        picker.setMaxPartialPieces(maxPartial);
        picker.setSequential(sequential);
        final FakePeer[] peers = new FakePeer[PEERS];
        final int[] avail = new int[PIECES];
        for (final int code : codes) {
            final int op = code % 9;
            final int a = (code / 9) % PEERS;
            final int b = code / 36;
            final FakePeer peer = peers[a];
            switch (op) {
                case 0 -> { // connect (replacing nothing)
                    if (peer == null) {
                        final FakePeer p = new FakePeer(a, PIECES);
                        if (b % 4 == 0) {
                            p.seed = true;
                            picker.peerHasAll();
                            for (int i = 0; i < PIECES; i++) {
                                avail[i]++;
                            }
                        } else {
                            for (int i = 0; i < PIECES; i++) {
                                if ((b >>> (i + 2) & 1) != 0) {
                                    p.bits.set(i);
                                    avail[i]++;
                                }
                            }
                            picker.peerHasBitfield(p.bits);
                        }
                        for (int i = 0; i < PIECES; i++) {
                            if ((i + a) % 5 == 0) {
                                p.allowedFast.add(i);
                            }
                        }
                        peers[a] = p;
                    }
                }
                case 1 -> { // disconnect: requests back, availability gone
                    if (peer != null) {
                        for (final long k : peer.outstanding) {
                            picker.requestCancelled((int) (k >>> 32), (int) k);
                        }
                        if (peer.seed) {
                            picker.peerRemovedSeed();
                            for (int i = 0; i < PIECES; i++) {
                                avail[i]--;
                            }
                        } else {
                            picker.peerLostBitfield(peer.bits);
                            for (int i = peer.bits.nextSetBit(0); i >= 0; i = peer.bits.nextSetBit(i + 1)) {
                                avail[i]--;
                            }
                        }
                        peers[a] = null;
                    }
                }
                case 2 -> { // HAVE
                    final int piece = b % PIECES;
                    if (peer != null && !peer.seed && !peer.bits.get(piece)) {
                        peer.bits.set(piece);
                        picker.peerHasPiece(piece);
                        avail[piece]++;
                    }
                }
                case 3 -> { // pick
                    if (peer != null) {
                        final int max = 1 + b % 8;
                        final boolean endgame = picker.isEndgame();
                        final List<Long> got = new ArrayList<>();
                        picker.pickBlocks(peer, max, (piece, block) -> got.add(FakePeer.key(piece, block)));
                        assertThat(got.size()).isLessThanOrEqualTo(max);
                        for (final long k : got) {
                            final int piece = (int) (k >>> 32);
                            final int block = (int) k;
                            assertThat(picker.has(piece)).as("picked a piece we have").isFalse();
                            assertThat(picker.isBlockReceived(piece, block)).as("picked a received block").isFalse();
                            assertThat(peer.has(piece)).as("picked a piece the peer lacks").isTrue();
                            if (peer.choking) {
                                assertThat(peer.isAllowedFast(piece)).as("picked under choke").isTrue();
                            }
                            assertThat(peer.outstanding.add(k)).as("picked a block twice for one peer").isTrue();
                            if (!endgame) {
                                assertThat(picker.requesters(piece, block)).isEqualTo(1);
                            }
                        }
                    }
                }
                case 4 -> { // a block arrives; duplicates elsewhere are cancelled (endgame)
                    if (peer != null && !peer.outstanding.isEmpty()) {
                        final long k = nth(peer.outstanding, b);
                        peer.outstanding.remove(k);
                        final int piece = (int) (k >>> 32);
                        picker.blockReceived(piece, (int) k);
                        for (final FakePeer other : peers) {
                            if (other != null && other.outstanding.remove(k)) {
                                picker.requestCancelled(piece, (int) k);
                            }
                        }
                    }
                }
                case 5 -> { // time-out or reject
                    if (peer != null && !peer.outstanding.isEmpty()) {
                        final long k = nth(peer.outstanding, b);
                        peer.outstanding.remove(k);
                        picker.requestCancelled((int) (k >>> 32), (int) k);
                    }
                }
                case 6 -> { // hash check of a complete piece
                    for (int i = 0; i < PIECES; i++) {
                        if (picker.allBlocksReceived(i) && !picker.has(i)) {
                            if (b % 3 == 0) {
                                picker.pieceFailed(i);
                            } else {
                                picker.pieceVerified(i);
                            }
                            break;
                        }
                    }
                }
                case 7 -> { // choke toggles (fast extension: requests stay)
                    if (peer != null) {
                        peer.choking = !peer.choking;
                    }
                }
                default -> { // resume-style "we have" for a piece nobody has requested
                    final int piece = b % PIECES;
                    if (b % 7 == 0 && !anyOutstanding(peers, piece)) {
                        picker.weHave(piece);
                    }
                }
            }
            picker.checkInvariants();
            assertThat(picker.inProgressCount()).as("partial cap").isLessThanOrEqualTo(maxPartial);
            for (int i = 0; i < PIECES; i++) {
                assertThat(picker.availability(i)).isEqualTo(avail[i]).isNotNegative();
                for (int blk = 0; blk < picker.blockCount(i); blk++) {
                    final int asked = countOutstanding(peers, i, blk);
                    if (picker.isPartial(i) && !picker.isBlockReceived(i, blk)) {
                        assertThat(picker.requesters(i, blk)).as("requesters of %d/%d", i, blk).isEqualTo(asked);
                        assertThat(asked).isLessThanOrEqualTo(2);
                    } else if (!picker.isPartial(i)) {
                        assertThat(asked).as("requests for non-partial piece %d", i).isZero();
                    }
                    if (picker.has(i)) {
                        assertThat(picker.isBlockReceived(i, blk)).isTrue();
                    }
                }
            }
        }
    }

    private static long nth(final java.util.Set<Long> set, final int index) {
        final List<Long> sorted = new ArrayList<>(set);
        sorted.sort(Long::compare);
        return sorted.get(Math.floorMod(index, sorted.size()));
    }

    private static int countOutstanding(final FakePeer[] peers, final int piece, final int block) {
        int n = 0;
        for (final FakePeer p : peers) {
            if (p != null && p.outstanding.contains(FakePeer.key(piece, block))) {
                n++;
            }
        }
        return n;
    }

    private static boolean anyOutstanding(final FakePeer[] peers, final int piece) {
        for (final FakePeer p : peers) {
            if (p != null) {
                for (final long k : p.outstanding) {
                    if ((int) (k >>> 32) == piece) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
