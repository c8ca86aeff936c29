package ccbt.pipeline.staging;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.store.PieceStore;
import org.junit.jupiter.api.Test;

/** Staging slots start on the direct-write alignment, so a whole staged piece can be written with O_DIRECT. */
class StagingPoolAlignmentTest {
    @Test
    void everySlotIsAlignedAndExactlyOnePieceLong() {
        for (final int pieceLength : new int[] {16 * 1024, 48 * 1024, 1 << 20, 1_000_003}) {
            final StagingPool pool = new StagingPool(5, pieceLength);
            for (int slot = 0; slot < 5; slot++) {
                final var view = pool.view(slot, pieceLength);
                assertThat(view.isDirect()).isTrue();
                assertThat(view.alignmentOffset(0, PieceStore.DIRECT_ALIGNMENT)).as("slot %d of %d", slot, pieceLength)
                    .isZero();
                assertThat(view.capacity()).isEqualTo(pieceLength);
            }
        }
    }
}
