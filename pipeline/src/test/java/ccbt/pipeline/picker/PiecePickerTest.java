package ccbt.pipeline.picker;

import ccbt.core.Bitfield;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PiecePickerTest {

    /** Picks for a peer and records the requests as outstanding on it, as the session's pipeline would. */
    static List<long[]> pick(final PiecePicker picker, final FakePeer peer, final int max) {
        final List<long[]> got = new ArrayList<>();
        final int n = picker.pickBlocks(peer, max, (piece, block) -> {
            got.add(new long[] {piece, block});
            peer.outstanding.add(FakePeer.key(piece, block));
        });
        assertThat(n).isEqualTo(got.size());
        return got;
    }

    static void receive(final PiecePicker picker, final FakePeer peer, final int piece, final int block) {
        peer.outstanding.remove(FakePeer.key(piece, block));
        picker.blockReceived(piece, block);
    }

    static FakePeer peerWith(final PiecePicker picker, final int id, final int pieces, final int... has) {
        final FakePeer p = new FakePeer(id, pieces);
        for (final int h : has) {
            p.bits.set(h);
        }
        picker.peerHasBitfield(p.bits);
        return p;
    }

    @Test
    void startsTheRarestPieceFirst() {
        final PiecePicker picker = new PiecePicker(6, 2, 2, new Random(1));
        peerWith(picker, 1, 6, 0, 1, 2, 3, 4, 5);
        peerWith(picker, 2, 6, 0, 1, 2, 4, 5);
        peerWith(picker, 3, 6, 0, 1, 2, 5);
        // availability: 0,1,2,5 → 3; 4 → 2; 3 → 1
        final FakePeer all = peerWith(picker, 4, 6, 0, 1, 2, 3, 4, 5);
        assertThat(picker.availability(3)).isEqualTo(2);
        assertThat(pick(picker, all, 2)).extracting(b -> b[0]).containsOnly(3L);
        assertThat(pick(picker, all, 2)).extracting(b -> b[0]).containsOnly(4L);
        picker.checkInvariants();
    }

    @Test
    void seedsDoNotChangeTheOrderButCount() {
        final PiecePicker picker = new PiecePicker(4, 1, 1, new Random(2));
        peerWith(picker, 1, 4, 0, 1, 2);
        peerWith(picker, 2, 4, 0, 1);
        picker.peerHasAll();
        picker.peerHasAll();
        assertThat(picker.availability(3)).isEqualTo(2);
        assertThat(picker.availability(0)).isEqualTo(4);
        final FakePeer seed = FakePeer.seed(3, 4);
        // piece 3 only seeds have: the rarest.
        assertThat(pick(picker, seed, 1)).extracting(b -> b[0]).containsExactly(3L);
        assertThat(pick(picker, seed, 1)).extracting(b -> b[0]).containsExactly(2L);
        picker.peerRemovedSeed();
        picker.peerRemovedSeed();
        assertThatThrownBy(picker::peerRemovedSeed).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void breaksTiesUniformlyAtRandom() {
        final int pieces = 8;
        final PiecePicker picker = new PiecePicker(pieces, 1, 1, new Random(42));
        final FakePeer seed = FakePeer.seed(1, pieces);
        picker.peerHasAll();
        final int[] counts = new int[pieces];
        final int rounds = 8000;
        for (int i = 0; i < rounds; i++) {
            final List<long[]> got = pick(picker, seed, 1);
            assertThat(got).hasSize(1);
            final int piece = (int) got.get(0)[0];
            counts[piece]++;
            // Cancelling makes the piece a candidate again: every pick is a fresh tie-break.
            seed.outstanding.clear();
            picker.requestCancelled(piece, 0);
        }
        picker.checkInvariants();
        for (final int c : counts) {
            // expectation 1000, standard deviation ≈ 30: ±20 % is far outside chance.
            assertThat(c).isBetween(800, 1200);
        }
    }

    @Test
    void differentSeedsStartDifferentPieces() {
        final int[] first = new int[16];
        for (int s = 0; s < 400; s++) {
            final PiecePicker picker = new PiecePicker(16, 1, 1, new Random(s));
            picker.peerHasAll();
            first[(int) pick(picker, FakePeer.seed(1, 16), 1).get(0)[0]]++;
        }
        for (final int c : first) {
            assertThat(c).isPositive();
        }
    }

    @Test
    void sequentialModeStartsPiecesInIndexOrder() {
        final PiecePicker picker = new PiecePicker(10, 2, 1, new Random(3));
        picker.setSequential(true);
        picker.weHave(0);
        final FakePeer peer = peerWith(picker, 1, 10, 1, 2, 4, 5, 9);
        peerWith(picker, 2, 10, 2); // piece 2 is more common: ignored in sequential mode
        final List<long[]> got = pick(picker, peer, 7);
        assertThat(got).extracting(b -> b[0] * 10 + b[1]).containsExactly(10L, 11L, 20L, 21L, 40L, 41L, 50L);
        assertThat(pick(picker, peer, 10)).extracting(b -> b[0] * 10 + b[1]).containsExactly(51L, 90L);
        // a failed earlier piece is picked again first
        picker.blockReceived(1, 0);
        picker.blockReceived(1, 1);
        picker.pieceFailed(1);
        peer.outstanding.clear();
        assertThat(pick(picker, peer, 1)).extracting(b -> b[0]).containsExactly(1L);
        picker.checkInvariants();
    }

    @Test
    void finishesPiecesInProgressBeforeStartingNewOnes() {
        final PiecePicker picker = new PiecePicker(20, 4, 4, new Random(4));
        picker.peerHasAll();
        final FakePeer a = FakePeer.seed(1, 20);
        final FakePeer b = FakePeer.seed(2, 20);
        final List<long[]> first = pick(picker, a, 2);
        final long piece = first.get(0)[0];
        assertThat(pick(picker, b, 2)).extracting(x -> x[0]).containsOnly(piece);
        assertThat(picker.partialCount()).isEqualTo(1);
    }

    @Test
    void neverStartsMorePiecesThanTheCap() {
        final PiecePicker picker = new PiecePicker(50, 4, 4, new Random(5));
        picker.setMaxPartialPieces(3);
        picker.peerHasAll();
        final FakePeer seed = FakePeer.seed(1, 50);
        final List<long[]> got = pick(picker, seed, 100);
        assertThat(got).hasSize(12);
        assertThat(got.stream().map(x -> x[0]).distinct().count()).isEqualTo(3);
        assertThat(pick(picker, seed, 100)).isEmpty();
        // A complete piece awaiting verification still holds its staging slot.
        final int piece = (int) got.get(0)[0];
        for (int blk = 0; blk < 4; blk++) {
            receive(picker, seed, piece, blk);
        }
        assertThat(picker.allBlocksReceived(piece)).isTrue();
        assertThat(picker.inProgressCount()).isEqualTo(3);
        assertThat(pick(picker, seed, 100)).isEmpty();
        picker.pieceVerified(piece);
        assertThat(pick(picker, seed, 100)).hasSize(4);
        assertThat(picker.inProgressCount()).isEqualTo(3);
        picker.checkInvariants();
    }

    @Test
    void onlyAllowedFastPiecesWhileChoked() {
        final PiecePicker picker = new PiecePicker(10, 2, 2, new Random(6));
        final FakePeer peer = peerWith(picker, 1, 10, 1, 3, 5, 7);
        peer.choking = true;
        assertThat(pick(picker, peer, 10)).isEmpty();
        peer.allowedFast.add(5);
        peer.allowedFast.add(6); // allowed fast but the peer lacks it
        assertThat(pick(picker, peer, 10)).extracting(x -> x[0]).containsOnly(5L).hasSize(2);
        peer.choking = false;
        assertThat(pick(picker, peer, 10)).extracting(x -> x[0]).containsOnly(1L, 3L, 7L).hasSize(6);
    }

    @Test
    void neverPicksWhatThePeerLacksOrWeHave() {
        final PiecePicker picker = new PiecePicker(8, 2, 2, new Random(7));
        picker.weHave(2);
        final FakePeer peer = peerWith(picker, 1, 8, 2, 4);
        assertThat(pick(picker, peer, 10)).extracting(x -> x[0]).containsOnly(4L);
        assertThat(picker.has(2)).isTrue();
        assertThat(picker.missingCount()).isEqualTo(7);
    }

    @Test
    void endgameDuplicatesAreBoundedAndNeverToTheSamePeer() {
        final PiecePicker picker = new PiecePicker(2, 2, 1, new Random(8));
        picker.peerHasAll();
        picker.peerHasAll();
        picker.peerHasAll();
        final FakePeer a = FakePeer.seed(1, 2);
        final FakePeer b = FakePeer.seed(2, 2);
        final FakePeer c = FakePeer.seed(3, 2);
        assertThat(picker.isEndgame()).isFalse();
        assertThat(pick(picker, a, 10)).hasSize(3);
        assertThat(picker.isEndgame()).isTrue();
        assertThat(pick(picker, a, 10)).as("a already has them all").isEmpty();
        assertThat(pick(picker, b, 10)).hasSize(3);
        assertThat(pick(picker, c, 10)).as("two requesters per block").isEmpty();
        assertThat(picker.requesters(0, 0)).isEqualTo(2);
        // b's copy arrives first; a's duplicate is cancelled and ignored.
        receive(picker, b, 0, 0);
        assertThat(picker.blockReceived(0, 0)).as("duplicate").isFalse();
        picker.requestCancelled(0, 0);
        a.outstanding.remove(FakePeer.key(0, 0));
        // a cancelled request frees a duplicate slot for c
        picker.requestCancelled(1, 0);
        b.outstanding.remove(FakePeer.key(1, 0));
        assertThat(pick(picker, c, 10)).extracting(x -> x[0] * 10 + x[1]).containsExactly(10L);
        picker.checkInvariants();
        picker.setEndgameRequesters(3);
        assertThat(pick(picker, c, 10)).extracting(x -> x[0] * 10 + x[1]).containsExactly(1L);
    }

    @Test
    void leavesEndgameWhenAPieceFails() {
        final PiecePicker picker = new PiecePicker(2, 2, 2, new Random(9));
        picker.peerHasAll();
        final FakePeer a = FakePeer.seed(1, 2);
        pick(picker, a, 4);
        assertThat(picker.isEndgame()).isTrue();
        receive(picker, a, 0, 0);
        receive(picker, a, 0, 1);
        picker.pieceFailed(0);
        assertThat(picker.isEndgame()).isFalse();
        assertThat(pick(picker, a, 4)).extracting(x -> x[0]).containsOnly(0L).hasSize(2);
        assertThat(picker.isEndgame()).isTrue();
        receive(picker, a, 0, 0);
        receive(picker, a, 0, 1);
        receive(picker, a, 1, 0);
        receive(picker, a, 1, 1);
        picker.pieceVerified(0);
        picker.pieceVerified(1);
        assertThat(picker.isComplete()).isTrue();
        assertThat(picker.isEndgame()).isFalse();
        assertThat(pick(picker, a, 4)).isEmpty();
        picker.checkInvariants();
    }

    @Test
    void aFailedPieceIsPickedAgain() {
        final PiecePicker picker = new PiecePicker(3, 2, 2, new Random(10));
        final FakePeer peer = peerWith(picker, 1, 3, 1);
        pick(picker, peer, 2);
        receive(picker, peer, 1, 0);
        assertThat(picker.blockReceived(1, 1)).isTrue();
        assertThat(picker.allBlocksReceived(1)).isTrue();
        assertThat(picker.needs(1)).isFalse();
        peer.outstanding.clear();
        assertThat(pick(picker, peer, 2)).isEmpty();
        picker.pieceFailed(1);
        assertThat(picker.needs(1)).isTrue();
        assertThat(picker.isBlockReceived(1, 0)).isFalse();
        assertThat(pick(picker, peer, 2)).extracting(x -> x[0] * 10 + x[1]).containsExactly(10L, 11L);
    }

    @Test
    void aBlockStaysRequestedUntilEveryRequesterCancels() {
        final PiecePicker picker = new PiecePicker(1, 1, 1, new Random(11));
        picker.peerHasAll();
        final FakePeer a = FakePeer.seed(1, 1);
        final FakePeer b = FakePeer.seed(2, 1);
        pick(picker, a, 1);
        pick(picker, b, 1);
        assertThat(picker.requesters(0, 0)).isEqualTo(2);
        picker.requestCancelled(0, 0);
        assertThat(picker.requesters(0, 0)).isEqualTo(1);
        assertThat(picker.isEndgame()).isTrue();
        picker.requestCancelled(0, 0);
        assertThat(picker.isPartial(0)).as("nothing requested or received: a candidate again").isFalse();
        assertThat(picker.isEndgame()).isFalse();
        picker.requestCancelled(0, 0); // stray cancel: ignored
        picker.checkInvariants();
    }

    @Test
    void aLateBlockOfACandidatePieceIsTaken() {
        final PiecePicker picker = new PiecePicker(4, 2, 2, new Random(12));
        assertThat(picker.blockReceived(3, 1)).isTrue();
        assertThat(picker.isPartial(3)).isTrue();
        assertThat(picker.unrequestedBlocks()).isEqualTo(7);
        picker.checkInvariants();
    }

    @Test
    void keepsAvailabilityAcrossConnectAndDisconnect() {
        final PiecePicker picker = new PiecePicker(9, 1, 1, new Random(13));
        final Bitfield a = new Bitfield(9);
        a.set(0);
        a.set(8);
        final Bitfield b = new Bitfield(9);
        b.set(8);
        picker.peerHasBitfield(a);
        picker.peerHasBitfield(b);
        assertThat(picker.availability(8)).isEqualTo(2);
        picker.peerBecameSeed(b);
        assertThat(picker.availability(8)).isEqualTo(2);
        assertThat(picker.availability(4)).isEqualTo(1);
        picker.peerLostBitfield(a);
        picker.peerRemovedSeed();
        for (int i = 0; i < 9; i++) {
            assertThat(picker.availability(i)).isZero();
        }
        assertThatThrownBy(() -> picker.peerLostPiece(0))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("piece 0");
        assertThatThrownBy(() -> picker.peerHasBitfield(new Bitfield(8)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8 pieces");
        picker.checkInvariants();
    }

    @Test
    void interestFollowsWhatWeStillNeed() {
        final PiecePicker picker = new PiecePicker(5, 1, 1, new Random(14));
        final FakePeer peer = peerWith(picker, 1, 5, 2);
        assertThat(picker.isInteresting(peer)).isTrue();
        assertThat(picker.isInteresting(peer.bits)).isTrue();
        picker.weHave(2);
        assertThat(picker.isInteresting(peer)).isFalse();
        assertThat(picker.isInteresting(peer.bits)).isFalse();
        final Bitfield all = new Bitfield(5);
        all.setAll();
        assertThat(picker.isInteresting(all)).isTrue();
        assertThat(picker.isInteresting(FakePeer.seed(2, 5))).isTrue();
        for (int i = 0; i < 5; i++) {
            picker.weHave(i);
        }
        assertThat(picker.isComplete()).isTrue();
        assertThat(picker.isInteresting(all)).isFalse();
        assertThat(picker.isInteresting(FakePeer.seed(2, 5))).isFalse();
    }

    @Test
    void writesEncodedBlocksIntoAnArray() {
        final PiecePicker picker = new PiecePicker(3, 2, 1, new Random(15));
        final FakePeer peer = peerWith(picker, 1, 3, 2);
        final long[] out = new long[4];
        assertThat(picker.pickBlocks(peer, 10, out)).isEqualTo(1);
        assertThat(out[0]).isEqualTo(2L << 32);
        peer.bits.set(0);
        picker.peerHasPiece(0);
        assertThat(picker.pickBlocks(peer, 1, out)).isEqualTo(1);
        assertThat(out[0]).isEqualTo(0L);
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        assertThatThrownBy(() -> new PiecePicker(0, 1, 1, new Random()))
            .hasMessageContaining("pieceCount=0");
        assertThatThrownBy(() -> new PiecePicker(4, 2, 3, new Random()))
            .hasMessageContaining("blocksInLastPiece=3");
        final PiecePicker picker = new PiecePicker(4, 2, 1, new Random());
        assertThatThrownBy(() -> picker.blockReceived(3, 1)).hasMessageContaining("block 1");
        assertThatThrownBy(() -> picker.peerHasPiece(4)).hasMessageContaining("piece 4");
        assertThatThrownBy(() -> picker.setMaxPartialPieces(0)).hasMessageContaining("maxPartialPieces=0");
    }

    @Test
    void picksRarestAmongManyPiecesWithoutScanningWholeSorts() {
        // 20 000 pieces, availability 1..4 by index class; piece 12 345 is the only one with availability 1.
        final int n = 20_000;
        final PiecePicker picker = new PiecePicker(n, 1, 1, new Random(16));
        final Bitfield common = new Bitfield(n);
        common.setAll();
        common.clear(12_345);
        picker.peerHasBitfield(common);
        picker.peerHasBitfield(common);
        picker.peerHasAll();
        final FakePeer seed = FakePeer.seed(1, n);
        assertThat(pick(picker, seed, 1)).extracting(x -> x[0]).containsExactly(12_345L);
        for (int i = 0; i < 2000; i++) {
            final List<long[]> got = pick(picker, seed, 1);
            picker.blockReceived((int) got.get(0)[0], 0);
            picker.pieceVerified((int) got.get(0)[0]);
        }
        assertThat(picker.missingCount()).isEqualTo(n - 2000);
        picker.checkInvariants();
    }
}
