package ccbt.pipeline.picker;

import java.util.Arrays;
import org.agrona.collections.LongHashSet;

/**
 * Our outstanding requests to one peer, in the order they were sent, with the depth we aim for.
 *
 * <p><b>Depth.</b> The target is the number of 16 KiB blocks the peer delivers in {@link #setQueueTime
 * queue time} (3 s by default) at its measured rate, clamped to [minDepth, maxDepth] and to the peer's
 * BEP 10 {@code reqq}. A round-trip time measured on this connection cannot serve as the multiplier: it
 * includes the wait behind our own earlier requests, so rate × measured RTT equals the current depth
 * (Little's law) and never converges. A fixed time budget does: while the pipeline is what limits the
 * rate, rate = depth / RTT and the target depth × queueTime / RTT grows as long as the RTT is below
 * the budget, i.e. until the peer's link, not our queue, is the bottleneck. The budget must also cover a peer
 * that answers in rounds (transmission serves what it holds every 500 ms): there the depth is what one round
 * delivers. The smoothed RTT is kept for time-out decisions ({@link #rttNanos}).
 *
 * <p><b>Rate.</b> Blocks delivered per second of <em>busy</em> time (time with at least one request
 * outstanding), over windows of at least 200 ms; a higher sample replaces the estimate at once, a lower one
 * moves it a quarter of the way, so the depth doubles per window while it is what holds the peer back and
 * shrinks gently on a dip. Idle time while choked or uninterested does not drag it down.
 *
 * <p><b>Snubbing.</b> A peer whose requests time out is snubbed: depth 1 until it delivers a block. For the
 * choker a peer also counts as snubbed while requests are outstanding and no block has come for {@link
 * #STALL_NANOS} (since the first request, or the last block): a peer that rejects whatever it is asked
 * never lets a request time out. {@link
 * #snubbed(long)} is the one rule; the depth only follows the time-outs.
 *
 * <p>Storage is two parallel circular arrays, grown by doubling up to maxDepth: peers serve in order, so a
 * delivered block is almost always at the head (removed in constant time), time-outs are a prefix, and a linear
 * search from the head finds a delivered block at once. A hash set of the same keys answers "is it outstanding?"
 * (every request sent, every {@link #contains}, every block that was not asked for) without walking the ring, which
 * at a depth of hundreds cost more than the rest of the bookkeeping. Nothing is allocated per request. Not
 * thread-safe: one per peer, on its event loop.
 */
public final class RequestPipeline {
    /** The 16 KiB block (BEP 3 convention) the depth is counted in. */
    public static final int BLOCK_BYTES = 16 * 1024;
    private static final long RATE_WINDOW_NANOS = 200_000_000L;
    private static final double RATE_SMOOTHING = 0.25;
    /** Requests outstanding this long with no block delivered make the peer snubbed. */
    public static final long STALL_NANOS = 30_000_000_000L;

    /** The time budget the depth covers by default: 3 s, libtorrent's default {@code request_queue_time}. */
    public static final long DEFAULT_QUEUE_TIME_NANOS = 3_000_000_000L;
    /** The depth a new peer starts with, before its rate is known. */
    public static final int START_DEPTH = 16;
    private static final int INITIAL_CAPACITY = 64;

    private final int minDepth;
    private final int maxDepth;
    /** Circular: request i (0 = oldest) is at {@code (head + i) & (keys.length - 1)}. */
    private long[] keys;
    private long[] sentAt;
    /** The keys of the ring, for membership tests. */
    private final LongHashSet outstandingKeys;
    private int head;
    private int size;
    private int peerLimit = Integer.MAX_VALUE;
    private long queueTimeNanos = DEFAULT_QUEUE_TIME_NANOS;

    private boolean snubbed;
    private double blocksPerSecond;
    private boolean rateKnown;
    private long busyNanos;
    private int windowBlocks;
    private long lastEventNanos;
    private long srttNanos;
    /** The last delivery, else the first request: where a stall is counted from. */
    private long progressNanos;
    private boolean progressKnown;

    /**
     * @param minDepth depth before the rate is known and the floor afterwards ({@link #START_DEPTH} is usual)
     * @param maxDepth the most requests ever outstanding
     */
    public RequestPipeline(final int minDepth, final int maxDepth) {
        if (minDepth < 1 || maxDepth < minDepth) {
            throw new IllegalArgumentException("depths min=" + minDepth + " max=" + maxDepth
                + " must satisfy 1 <= min <= max");
        }
        this.minDepth = minDepth;
        this.maxDepth = maxDepth;
        final int capacity = Integer.highestOneBit(Math.min(maxDepth, INITIAL_CAPACITY) * 2 - 1);
        this.keys = new long[capacity];
        this.sentAt = new long[capacity];
        this.outstandingKeys = new LongHashSet(capacity);
    }

    /** The peer's BEP 10 {@code reqq}: never more requests outstanding than that. */
    public void setPeerLimit(final int reqq) {
        if (reqq < 1) {
            throw new IllegalArgumentException("peer request limit reqq=" + reqq + " must be at least 1");
        }
        this.peerLimit = reqq;
    }

    /** The time budget the depth covers at the measured rate (default {@link #DEFAULT_QUEUE_TIME_NANOS}). */
    public void setQueueTime(final long nanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException("queue time " + nanos + " ns must be positive");
        }
        this.queueTimeNanos = nanos;
    }

    /**
     * Records a request just sent. Returns false (and records nothing) when the block is already
     * outstanding or the hard limit — min(maxDepth, reqq) — is reached.
     */
    public boolean add(final int piece, final int block, final long nowNanos) {
        final long key = key(piece, block);
        if (size >= Math.min(maxDepth, peerLimit) || !outstandingKeys.add(key)) {
            return false; // full, or the set already held the key: the block is outstanding
        }
        tick(nowNanos);
        if (!progressKnown) {
            progressNanos = nowNanos;
            progressKnown = true;
        }
        if (size == keys.length) {
            grow();
        }
        final int slot = slot(size);
        keys[slot] = key;
        sentAt[slot] = nowNanos;
        size++;
        return true;
    }

    /**
     * The block arrived: forgets the request and feeds the rate and RTT estimates; a snubbed peer is
     * forgiven. Returns false when the block was not outstanding (unrequested, or cancelled before).
     */
    public boolean remove(final int piece, final int block, final long nowNanos) {
        final int i = indexOf(key(piece, block));
        if (i < 0) {
            return false;
        }
        tick(nowNanos);
        final long rtt = nowNanos - sentAt[slot(i)];
        srttNanos = srttNanos == 0 ? Math.max(rtt, 1) : srttNanos + (rtt - srttNanos) / 8;
        removeAt(i);
        snubbed = false;
        progressNanos = nowNanos;
        progressKnown = true;
        windowBlocks++;
        if (busyNanos >= RATE_WINDOW_NANOS) {
            final double sample = windowBlocks * 1e9 / busyNanos;
            // A higher sample is taken at once: while the depth limits the peer, each window shows only what the
            // depth allowed, so capacity is found by doubling, not by creeping up a quarter of the gap per window.
            blocksPerSecond = !rateKnown || sample > blocksPerSecond ? sample
                : blocksPerSecond + RATE_SMOOTHING * (sample - blocksPerSecond);
            rateKnown = true;
            busyNanos = 0;
            windowBlocks = 0;
        }
        return true;
    }

    /**
     * Forgets a request that ended without data (we sent CANCEL, or the peer sent REJECT): no effect on the
     * rate, the RTT or snubbing. Returns false when it was not outstanding.
     */
    public boolean cancel(final int piece, final int block) {
        final int i = indexOf(key(piece, block));
        if (i < 0) {
            return false;
        }
        removeAt(i);
        return true;
    }

    /** Whether the block is outstanding with this peer. */
    public boolean contains(final int piece, final int block) {
        return outstandingKeys.contains(key(piece, block));
    }

    /** Requests outstanding. */
    public int outstanding() {
        return size;
    }

    /** How many more requests to send now: target depth minus outstanding, never negative. */
    public int room() {
        return Math.max(0, depth() - size);
    }

    /** The target depth: 1 when snubbed, else rate × queue time clamped to [min, max] and to the peer's reqq. */
    public int depth() {
        if (snubbed) {
            return 1;
        }
        int d = minDepth;
        if (rateKnown) {
            final double want = Math.ceil(blocksPerSecond * queueTimeNanos / 1e9);
            d = (int) Math.max(minDepth, Math.min(maxDepth, want));
        }
        return Math.min(d, peerLimit);
    }

    /**
     * Removes the requests outstanding for at least {@code timeoutNanos}, oldest first, and hands each to
     * {@code expired}; if any, the peer is snubbed. Returns how many expired.
     */
    public int expire(final long nowNanos, final long timeoutNanos, final BlockSink expired) {
        tick(nowNanos);
        int n = 0;
        while (n < size && nowNanos - sentAt[slot(n)] >= timeoutNanos) {
            n++;
        }
        if (n == 0) {
            return 0;
        }
        for (int i = 0; i < n; i++) {
            final long key = keys[slot(i)];
            expired.block((int) (key >>> 32), (int) key);
        }
        removePrefix(n);
        snubbed = true;
        return n;
    }

    /**
     * As {@link #expire(long, long, BlockSink)}, writing at most {@code out.length} expired requests as
     * {@code (long) piece << 32 | block}; any further expired ones stay for the next call.
     */
    public int expire(final long nowNanos, final long timeoutNanos, final long[] out) {
        tick(nowNanos);
        int n = 0;
        while (n < size && n < out.length && nowNanos - sentAt[slot(n)] >= timeoutNanos) {
            out[n] = keys[slot(n)];
            n++;
        }
        if (n == 0) {
            return 0;
        }
        removePrefix(n);
        snubbed = true;
        return n;
    }

    /** Hands every outstanding request to {@code all} and forgets them (choke without fast, disconnect). */
    public void drain(final BlockSink all) {
        final int n = size;
        // Cleared first so that the callback may add new requests or query this pipeline.
        final long[] copy = n == 0 ? null : ordered(keys);
        head = 0;
        size = 0;
        outstandingKeys.clear();
        for (int i = 0; i < n; i++) {
            all.block((int) (copy[i] >>> 32), (int) copy[i]);
        }
    }

    /**
     * Whether the peer is snubbed at {@code nowNanos}: it let requests time out and has not delivered since,
     * or requests have been outstanding for {@link #STALL_NANOS} without a block.
     */
    public boolean snubbed(final long nowNanos) {
        return snubbed || size > 0 && nowNanos - progressNanos > STALL_NANOS;
    }

    /** The smoothed delivery rate in blocks per second (0 until measured). */
    public double blocksPerSecond() {
        return rateKnown ? blocksPerSecond : 0;
    }

    /** The smoothed time from request to block, queueing at the peer included (0 until measured). */
    public long rttNanos() {
        return srttNanos;
    }

    /**
     * Adds the time since the last timed event to the busy time when requests were outstanding in between
     * (the size only changes at events; {@link #cancel} and {@link #drain} carry no time and are rare).
     */
    private void tick(final long nowNanos) {
        if (size > 0) {
            busyNanos += Math.max(0, nowNanos - lastEventNanos);
        }
        lastEventNanos = nowNanos;
    }

    /** Position of {@code key} from the oldest request, or -1 if it is not outstanding. */
    private int indexOf(final long key) {
        if (size > 0 && keys[head] == key) {
            return 0; // the usual case: peers serve in order
        }
        if (!outstandingKeys.contains(key)) {
            return -1;
        }
        final long[] k = keys;
        final int mask = k.length - 1;
        for (int i = 0, n = size; i < n; i++) {
            if (k[(head + i) & mask] == key) {
                return i;
            }
        }
        return -1;
    }

    private int slot(final int i) {
        return (head + i) & (keys.length - 1);
    }

    /** Removes request {@code i}, moving the shorter side of the ring over the gap. */
    private void removeAt(final int i) {
        outstandingKeys.remove(keys[slot(i)]);
        if (i < size / 2) {
            for (int j = i; j > 0; j--) {
                moveSlot(slot(j - 1), slot(j));
            }
            head = slot(1);
        } else {
            for (int j = i; j < size - 1; j++) {
                moveSlot(slot(j + 1), slot(j));
            }
        }
        size--;
    }

    private void moveSlot(final int from, final int to) {
        keys[to] = keys[from];
        sentAt[to] = sentAt[from];
    }

    private void removePrefix(final int n) {
        for (int i = 0; i < n; i++) {
            outstandingKeys.remove(keys[slot(i)]);
        }
        head = slot(n);
        size -= n;
    }

    /** Doubles the ring (at most up to maxDepth rounded up to a power of two), oldest request first. */
    private void grow() {
        final long[] k = Arrays.copyOf(ordered(keys), keys.length * 2);
        final long[] t = Arrays.copyOf(ordered(sentAt), sentAt.length * 2);
        keys = k;
        sentAt = t;
        head = 0;
    }

    /** The outstanding entries of {@code ring}, oldest first. */
    private long[] ordered(final long[] ring) {
        final long[] out = new long[size];
        for (int i = 0; i < size; i++) {
            out[i] = ring[slot(i)];
        }
        return out;
    }

    private static long key(final int piece, final int block) {
        return (long) piece << 32 | (block & 0xffffffffL);
    }
}
