package ccbt.pipeline.ring;

import ccbt.telemetry.Metrics;
import ccbt.telemetry.StageLatency;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The inbound ring of downloaded pieces, shared by all torrents of an engine. Its shape is all here:
 * network-decode (the peers' event loops publish fully staged pieces) → hash-verify (one handler per
 * shard) → Xet-chunk → disk-write.
 *
 * <p>Publishers never wait: a piece is published only while it holds a staging slot, and the ring is
 * sized to hold every slot of the engine, so a full ring cannot happen while slots are the bound.
 */
public final class PieceRing implements AutoCloseable {
    /** Stage names as they appear in telemetry. */
    public static final String STAGE_HASH_VERIFY = "hash_verify";
    public static final String STAGE_XET_CHUNK = "xet_chunk";
    public static final String STAGE_DISK_WRITE = "disk_write";
    /** Counter of pieces the hash-verify stage hashed in pairs. */
    public static final String PAIRED_PIECES = "ccbt_pieces_hashed_in_pairs_total";
    /**
     * Disk writers for {@code O_DIRECT} writes: two writes in flight, so a write waiting for the device does not
     * stall the ring.
     */
    public static final int DISK_WRITERS_DIRECT = 2;
    /**
     * Disk writers for writes through the page cache, which return at memory speed: one. A second one only waited
     * for the file's lock, which the file system takes for each write (a 1 GiB download spent about 0.1 CPU s
     * spinning on it; docs/performance.md).
     */
    public static final int DISK_WRITERS_BUFFERED = 1;

    private final Disruptor<PieceEvent> disruptor;
    private final RingBuffer<PieceEvent> ring;
    private final BackoffWaitStrategy waits;

    /**
     * @param capacity  ring size (rounded up to a power of two); at least the engine's staging slots
     * @param verifiers   number of hash-verify shards, usually the number of cores
     * @param diskWriters number of disk-write shards: {@link #DISK_WRITERS_DIRECT} or {@link #DISK_WRITERS_BUFFERED}
     * @param metrics     where stage latencies and ring fill are recorded
     */
    @SuppressWarnings("unchecked")
    public PieceRing(final int capacity, final int verifiers, final int diskWriters, final Metrics metrics) {
        final int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
        this.waits = new BackoffWaitStrategy();
        this.disruptor = new Disruptor<>(PieceEvent::new, size, threadFactory(),
            ProducerType.MULTI, waits);
        final StageLatency verifyLatency = metrics.stage(STAGE_HASH_VERIFY);
        final ccbt.telemetry.Counter paired = metrics.counter(PAIRED_PIECES,
            "Pieces whose SHA-1 was computed two at a time (the others one at a time)");
        final EventHandler<PieceEvent>[] verifyStages = new EventHandler[verifiers];
        for (int i = 0; i < verifiers; i++) {
            verifyStages[i] = new HashVerifyStage(i, verifiers, disruptor.getRingBuffer(), verifyLatency, paired,
                waits);
        }
        final StageLatency writeLatency = metrics.stage(STAGE_DISK_WRITE);
        final ccbt.telemetry.Counter overflow = metrics.counter("ccbt_disk_overflow_bytes_total",
            "Verified bytes written through the page cache because the disk writers were behind the device");
        final EventHandler<PieceEvent>[] writeStages = new EventHandler[diskWriters];
        for (int i = 0; i < diskWriters; i++) {
            writeStages[i] = new DiskWriteStage(i, diskWriters, writeLatency, waits, overflow,
                DiskWriteStage.OVERFLOW_BYTES);
        }
        disruptor.handleEventsWith(verifyStages)
            .then(new XetChunkStage(metrics.stage(STAGE_XET_CHUNK), waits))
            .then(writeStages);
        this.ring = disruptor.start();
        metrics.gauge("ccbt_ring_fill", "Pieces in the inbound ring not yet written",
            () -> ring.getBufferSize() - ring.remainingCapacity());
    }

    /**
     * Publishes a fully staged piece. Returns false only if the ring is full, which the slot bound
     * prevents; the caller then retries later rather than blocking its event loop.
     */
    public boolean publish(final PieceTarget target, final int piece, final int slot, final ByteBuffer data) {
        final long sequence;
        try {
            sequence = ring.tryNext();
        } catch (final com.lmax.disruptor.InsufficientCapacityException e) {
            return false;
        }
        final PieceEvent event = ring.get(sequence);
        event.target = target;
        event.piece = piece;
        event.slot = slot;
        event.data = data;
        event.verified = false;
        event.hashedAhead = false;
        event.publishedNanos = System.nanoTime();
        ring.publish(sequence);
        return true;
    }

    /** Drains the ring (every published piece reaches its last stage) and stops the stage threads. */
    @Override
    public void close() {
        disruptor.shutdown();
        // the halt woke only the threads waiting for the publisher; the stage threads see it now, not in a second
        waits.wakeAll();
    }

    private static ThreadFactory threadFactory() {
        final AtomicInteger n = new AtomicInteger();
        return r -> {
            final Thread t = new Thread(r, "ccbt-ring-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }
}
