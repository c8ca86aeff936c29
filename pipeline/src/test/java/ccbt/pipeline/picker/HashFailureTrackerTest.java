package ccbt.pipeline.picker;

import org.agrona.collections.IntArrayList;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HashFailureTrackerTest {

    @Test
    void bansTheSoleContributorOfABadPieceAtOnce() {
        final HashFailureTracker t = new HashFailureTracker(3);
        assertThat(t.pieceFailed(4, new int[] {7, 7, 7})).containsExactly(7);
        assertThat(t.isBanned(7)).isTrue();
        assertThat(t.pieceFailed(5, new int[] {7})).as("already banned: not reported again").isEmpty();
    }

    @Test
    void bansSharedContributorsAfterEnoughFailures() {
        final HashFailureTracker t = new HashFailureTracker(3);
        assertThat(t.pieceFailed(1, new int[] {1, 2, 1})).isEmpty();
        assertThat(t.pieceFailed(2, new int[] {1, 3})).isEmpty();
        assertThat(t.failures(1)).isEqualTo(2);
        assertThat(t.failures(2)).isEqualTo(1);
        final IntArrayList contributors = new IntArrayList();
        contributors.addInt(3);
        contributors.addInt(1);
        assertThat(t.pieceFailed(3, contributors)).containsExactly(1);
        assertThat(t.isBanned(1)).isTrue();
        assertThat(t.isBanned(3)).isFalse();
    }

    @Test
    void verifiedPiecesForgiveSlowlyAndAreNotBanked() {
        final HashFailureTracker t = new HashFailureTracker(2);
        // good pieces before any failure earn nothing
        for (int i = 0; i < 20; i++) {
            t.pieceVerified(i, new int[] {9});
        }
        assertThat(t.pieceFailed(100, new int[] {9, 8})).isEmpty();
        assertThat(t.failures(9)).isEqualTo(1);
        for (int i = 0; i < HashFailureTracker.CREDITS_PER_FORGIVENESS - 1; i++) {
            t.pieceVerified(9);
        }
        assertThat(t.failures(9)).isEqualTo(1);
        t.pieceVerified(9);
        assertThat(t.failures(9)).isZero();
        // peer 8 was not forgiven and is banned by its second failure
        assertThat(t.pieceFailed(101, new int[] {8, 9})).containsExactly(8);
        assertThat(t.failures(9)).isEqualTo(1);
    }

    @Test
    void answersPerPeerAsTheSessionAsks() {
        final HashFailureTracker t = new HashFailureTracker(2);
        assertThat(t.pieceFailed(5, false)).isFalse();
        assertThat(t.pieceFailed(5, false)).isTrue();
        assertThat(t.pieceFailed(5, false)).as("stays banned").isTrue();
        assertThat(t.pieceFailed(6, true)).isTrue();
        t.forget(5);
        assertThat(t.isBanned(5)).isFalse();
        assertThat(t.failures(5)).isZero();
        assertThat(t).hasToString("HashFailureTracker[ban after 2, banned [6]]");
    }

    @Test
    void rejectsANonPositiveThreshold() {
        assertThatThrownBy(() -> new HashFailureTracker(0)).hasMessageContaining("failuresToBan=0");
    }
}
