package ccbt.pipeline.ring;

import ccbt.core.hash.Sha1;
import ccbt.telemetry.StageLatency;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.Sequence;
import java.nio.ByteBuffer;


/**
 * Hash-verify: SHA-1 over the staged piece. One handler per shard; shard {@code k} of {@code n} takes the
 * pieces whose index is {@code k} modulo {@code n}, so the shards hash in parallel and each piece once.
 */
final class HashVerifyStage implements EventHandler<PieceEvent> {
    private final int shard;
    private final int shardCount;
    private final Sha1 sha1;
    private final StageLatency latency;
    private final BackoffWaitStrategy waits;
    private Sequence progress;

    HashVerifyStage(final int shard, final int shardCount, final StageLatency latency, final BackoffWaitStrategy waits) {
        this.shard = shard;
        this.waits = waits;
        this.shardCount = shardCount;
        this.latency = latency;
        this.sha1 = Sha1.create();
    }

    @Override
    public void setSequenceCallback(final Sequence sequenceCallback) {
        this.progress = sequenceCallback;
    }

    @Override
    public void onEvent(final PieceEvent event, final long sequence, final boolean endOfBatch) {
        if (event.piece % shardCount != shard) {
            // Passed at once, not at the end of this shard's batch (which may hash a piece after it): the
            // next stage waits for every shard.
            progress.setVolatile(sequence);
            waits.stageAdvanced(1);
            return;
        }
        final long start = System.nanoTime();
        // The staging slot's own buffer: only this stage holds the event now, so hashing may move its position,
        // which is put back for the next stages (no duplicate per piece).
        final ByteBuffer data = event.data;
        final int length = data.limit();
        event.verified = event.target.verify(event.piece, data.position(0), sha1);
        data.limit(length).position(0);
        final long end = System.nanoTime();
        latency.record(start - event.publishedNanos, end - start);
        event.stageDoneNanos = end;
        progress.setVolatile(sequence);
        waits.stageAdvanced(1);
    }
}
