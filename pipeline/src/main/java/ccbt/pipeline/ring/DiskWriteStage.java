package ccbt.pipeline.ring;

import ccbt.telemetry.StageLatency;
import com.lmax.disruptor.EventHandler;

/**
 * Disk-write: positional writes of verified pieces straight from the off-heap staging slot, then the
 * outcome goes back to the torrent. A piece counts as verified only after its write returned.
 *
 * <p>Writer {@code k} of {@code n} takes the ring sequences equal to {@code k} modulo {@code n} (not the piece
 * index: the owner clears the event when done, which the other writers must not read). Several writers keep
 * several writes in flight, which direct writes need: each waits for the device (PieceStore).
 */
final class DiskWriteStage implements EventHandler<PieceEvent> {
    private final int writer;
    private final int writers;
    private final StageLatency latency;
    private final BackoffWaitStrategy waits;

    DiskWriteStage(final int writer, final int writers, final StageLatency latency, final BackoffWaitStrategy waits) {
        this.writer = writer;
        this.writers = writers;
        this.latency = latency;
        this.waits = waits;
    }

    @Override
    public void onStart() {
        waits.declareLevel(2);
    }

    @Override
    public void onEvent(final PieceEvent event, final long sequence, final boolean endOfBatch) {
        if (sequence % writers != writer) {
            return;
        }
        final PieceTarget target = event.target;
        if (!event.verified) {
            target.pieceDone(event.piece, event.slot, PieceOutcome.HASH_FAILED, null);
            event.clear();
            return;
        }
        final long start = System.nanoTime();
        Throwable failure = null;
        try {
            target.write(event.piece, event.data.duplicate().clear().limit(event.data.limit()));
        } catch (final Exception e) {
            failure = e;
        }
        final long end = System.nanoTime();
        latency.record(start - event.stageDoneNanos, end - start);
        target.pieceDone(event.piece, event.slot,
            failure == null ? PieceOutcome.WRITTEN : PieceOutcome.WRITE_FAILED, failure);
        event.clear();
    }
}
