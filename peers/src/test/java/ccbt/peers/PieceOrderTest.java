package ccbt.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PieceOrderTest {
    @Test
    void measuresHowFarAheadOfTheFirstGapPiecesCompleted() {
        assertThat(PieceOrder.furthestAheadOfFirstMissing(List.of(0, 1, 2, 3), 4)).isZero();
        assertThat(PieceOrder.furthestAheadOfFirstMissing(List.of(1, 0, 3, 2), 4)).isEqualTo(1);
        assertThat(PieceOrder.furthestAheadOfFirstMissing(List.of(9, 0, 1, 2, 3, 4, 5, 6, 7, 8), 10)).isEqualTo(9);
    }
}
