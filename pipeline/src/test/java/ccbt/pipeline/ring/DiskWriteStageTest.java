package ccbt.pipeline.ring;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.hash.Sha1;
import ccbt.telemetry.Counter;
import ccbt.telemetry.Metrics;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The disk writers' choice between the device and the page cache, from the queue behind each piece. */
class DiskWriteStageTest {
    private static final int PIECE = 1 << 20;
    private static final long OVERFLOW_ABOVE = 16L << 20;

    /** Records each write's piece and whether it was to go direct. */
    static final class RecordingTarget implements PieceTarget {
        final List<String> writes = new ArrayList<>();
        final List<PieceOutcome> outcomes = new ArrayList<>();

        @Override
        public boolean matches(final int piece, final byte[] digest, final int offset) {
            return true;
        }

        @Override
        public void write(final int piece, final ByteBuffer data, final boolean direct) {
            assertThat(data.remaining()).isEqualTo(PIECE);
            writes.add(piece + (direct ? " direct" : " cached"));
        }

        @Override
        public void pieceDone(final int piece, final int slot, final PieceOutcome outcome, final Throwable writeFailure) {
            outcomes.add(outcome);
        }
    }

    private static PieceEvent event(final PieceTarget target, final int piece, final ByteBuffer data) {
        final PieceEvent e = new PieceEvent();
        e.target = target;
        e.piece = piece;
        e.slot = piece;
        e.data = data;
        e.verified = true;
        return e;
    }

    @Test
    void piecesOverflowToThePageCacheOnlyWhileTheQueueBehindThemIsLong() {
        final Metrics metrics = new Metrics();
        final Counter overflow = metrics.counter("overflow_test_bytes_total", "test");
        final DiskWriteStage writer0 = new DiskWriteStage(0, 2, metrics.stage("disk_write_test"),
            new BackoffWaitStrategy(), overflow, OVERFLOW_ABOVE);
        final RecordingTarget target = new RecordingTarget();
        final ByteBuffer data = ByteBuffer.allocateDirect(PIECE);
        final long queued = OVERFLOW_ABOVE / PIECE; // pieces behind which a piece still goes direct

        // One batch of queued + 4 pieces from sequence 100: the first ones have more than the limit behind them.
        final long depth = queued + 4;
        writer0.onBatchStart(depth, depth);
        for (long seq = 100; seq < 100 + depth; seq++) {
            writer0.onEvent(event(target, (int) seq, data), seq, seq == 100 + depth - 1);
        }
        // writer 0 takes the even sequences; behind sequence s are (100 + depth - 1 - s) pieces
        final List<String> expected = new ArrayList<>();
        for (long seq = 100; seq < 100 + depth; seq += 2) {
            expected.add(seq + (100 + depth - 1 - seq < queued ? " direct" : " cached"));
        }
        assertThat(target.writes).isEqualTo(expected);
        assertThat(target.writes).anyMatch(w -> w.endsWith("cached")).anyMatch(w -> w.endsWith("direct"));
        final long cached = target.writes.stream().filter(w -> w.endsWith("cached")).count();
        assertThat(overflow.get()).isEqualTo(cached * PIECE);
        assertThat(target.outcomes).containsOnly(PieceOutcome.WRITTEN);

        // A later batch with the queue drained: everything goes direct again.
        target.writes.clear();
        writer0.onBatchStart(2, 2);
        writer0.onEvent(event(target, 200, data), 200, false);
        writer0.onEvent(event(target, 201, data), 201, true);
        assertThat(target.writes).containsExactly("200 direct");
        assertThat(overflow.get()).isEqualTo(cached * PIECE);
    }

    @Test
    void byDefaultEveryPieceGoesDirectHoweverLongTheQueue() {
        assertThat(DiskWriteStage.OVERFLOW_BYTES).as("off unless -Dccbt.disk.overflowBytes").isEqualTo(Long.MAX_VALUE);
        final Metrics metrics = new Metrics();
        final Counter overflow = metrics.counter("overflow_default_test_bytes_total", "test");
        final DiskWriteStage writer1 = new DiskWriteStage(1, 2, metrics.stage("disk_write_default_test"),
            new BackoffWaitStrategy(), overflow, DiskWriteStage.OVERFLOW_BYTES);
        final RecordingTarget target = new RecordingTarget();
        final ByteBuffer data = ByteBuffer.allocateDirect(PIECE);
        writer1.onBatchStart(4096, 4096);
        for (long seq = 0; seq < 4096; seq++) {
            writer1.onEvent(event(target, (int) seq, data), seq, seq == 4095);
        }
        assertThat(target.writes).hasSize(2048).allMatch(w -> w.endsWith("direct"));
        assertThat(overflow.get()).isZero();
    }
}
