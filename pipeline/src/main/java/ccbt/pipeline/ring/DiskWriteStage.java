package ccbt.pipeline.ring;

import ccbt.telemetry.Counter;
import ccbt.telemetry.StageLatency;
import com.lmax.disruptor.EventHandler;

/**
 * Disk-write: positional writes of verified pieces straight from the off-heap staging slot, then the
 * outcome goes back to the torrent. A piece counts as verified only after its write returned.
 *
 * <p>Writer {@code k} of {@code n} takes the ring sequences equal to {@code k} modulo {@code n} (not the piece
 * index: the owner clears the event when done, which the other writers must not read). Several writers keep
 * several writes in flight, which direct writes need: each waits for the device (PieceStore).
 *
 * <p><b>Overflow</b> (off unless {@code -Dccbt.disk.overflowBytes=N}; it matters only where the store writes with
 * O_DIRECT, {@code --direct-writes}). There a piece normally goes straight to the device ({@code direct}), which costs
 * the least CPU. With overflow on, while more than {@link #OVERFLOW_BYTES} of verified
 * pieces wait behind the writers (the device is not keeping up with the network), a writer sends its piece through
 * the page cache instead: memory takes it at once, the staging slot comes free for the network, and the kernel
 * writes it out behind the transfer. On a test rig that lifted a download above the device's speed; in the bench it
 * cost so much system time that the download ran no faster, hence off (docs/decisions.md).
 */
final class DiskWriteStage implements EventHandler<PieceEvent> {
    /**
     * Verified bytes queued for the disk (all writers) above which pieces overflow to the page cache; never by
     * default. 16 MiB (a quarter of a torrent's default staging budget) keeps the network from waiting for a slot.
     */
    static final long OVERFLOW_BYTES = Long.getLong("ccbt.disk.overflowBytes", Long.MAX_VALUE);

    private final int writer;
    private final int writers;
    private final StageLatency latency;
    private final BackoffWaitStrategy waits;
    private final Counter overflowBytes;
    private final long overflowAbove;
    /** Events available to this writer when its current batch started, and the first sequence of that batch. */
    private long batchQueueDepth;
    private long batchFirst = -1;

    /** @param overflowAbove queued bytes above which pieces go through the page cache ({@link #OVERFLOW_BYTES}) */
    DiskWriteStage(final int writer, final int writers, final StageLatency latency, final BackoffWaitStrategy waits,
                   final Counter overflowBytes, final long overflowAbove) {
        this.writer = writer;
        this.writers = writers;
        this.latency = latency;
        this.waits = waits;
        this.overflowBytes = overflowBytes;
        this.overflowAbove = overflowAbove;
    }

    @Override
    public void onStart() {
        waits.declareLevel(2);
    }

    @Override
    public void onBatchStart(final long batchSize, final long queueDepth) {
        batchQueueDepth = queueDepth;
        batchFirst = -1;
    }

    @Override
    public void onEvent(final PieceEvent event, final long sequence, final boolean endOfBatch) {
        if (batchFirst < 0) {
            batchFirst = sequence;
        }
        if (sequence % writers != writer) {
            return;
        }
        final PieceTarget target = event.target;
        if (!event.verified) {
            target.pieceDone(event.piece, event.slot, PieceOutcome.HASH_FAILED, null);
            event.clear();
            return;
        }
        final int length = event.data.limit();
        // pieces behind this one, for every writer; sizes taken as this piece's
        final long queuedBehind = batchQueueDepth - (sequence - batchFirst) - 1;
        final boolean direct = queuedBehind < overflowAbove / length;
        final long start = System.nanoTime();
        Throwable failure = null;
        try {
            target.write(event.piece, event.data.position(0), direct);
        } catch (final Exception e) {
            failure = e;
        } finally {
            event.data.limit(length).position(0);
        }
        final long end = System.nanoTime();
        latency.record(start - event.stageDoneNanos, end - start);
        if (!direct && failure == null) {
            overflowBytes.add(length);
        }
        target.pieceDone(event.piece, event.slot,
            failure == null ? PieceOutcome.WRITTEN : PieceOutcome.WRITE_FAILED, failure);
        event.clear();
    }
}
