package ccbt.pipeline.ring;

import ccbt.telemetry.StageLatency;
import com.lmax.disruptor.EventHandler;

/**
 * Xet-chunk: the place where verified pieces will be cut into content-defined chunks for the dedup index.
 * Until the Xet pipeline lands it passes pieces through, so the ring already has its final shape and
 * its latency is measured.
 */
final class XetChunkStage implements EventHandler<PieceEvent> {
    private final StageLatency latency;

    XetChunkStage(final StageLatency latency) {
        this.latency = latency;
    }

    @Override
    public void onEvent(final PieceEvent event, final long sequence, final boolean endOfBatch) {
        final long start = System.nanoTime();
        final long queued = start - event.stageDoneNanos;
        final long end = System.nanoTime();
        latency.record(queued, end - start);
        event.stageDoneNanos = end;
    }
}
