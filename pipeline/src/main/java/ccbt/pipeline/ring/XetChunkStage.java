package ccbt.pipeline.ring;

import ccbt.telemetry.StageLatency;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.Sequence;

/**
 * Xet-chunk: verified pieces go through their torrent's content-defined chunking (see
 * {@code ccbt.pipeline.xet.TorrentChunker}) while they are still in staging memory. Torrents without Xet
 * chunking pass straight through. One handler: chunking state is per file and must see pieces in order.
 */
final class XetChunkStage implements EventHandler<PieceEvent> {
    private final StageLatency latency;
    private final BackoffWaitStrategy waits;
    private Sequence progress;

    XetChunkStage(final StageLatency latency, final BackoffWaitStrategy waits) {
        this.latency = latency;
        this.waits = waits;
    }

    @Override
    public void onStart() {
        waits.declareLevel(1);
    }

    @Override
    public void setSequenceCallback(final Sequence sequenceCallback) {
        this.progress = sequenceCallback;
    }

    @Override
    public void onEvent(final PieceEvent event, final long sequence, final boolean endOfBatch) {
        final long start = System.nanoTime();
        final long queued = start - event.stageDoneNanos;
        if (event.verified) {
            event.target.chunk(event.piece, event.data);
        }
        final long end = System.nanoTime();
        latency.record(queued, end - start);
        event.stageDoneNanos = end;
        // The disk-write stage waits for this one: publish the sequence now and wake it.
        progress.setVolatile(sequence);
        waits.stageAdvanced(2);
    }
}
