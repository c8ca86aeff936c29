package ccbt.xet.wire;

import ccbt.xet.hash.XetHash;
import java.util.Objects;

/**
 * Our outstanding {@code ut_xet} requests to one peer: assigns request ids, bounds how many are in flight,
 * matches each response to its request exactly once and expires requests the peer leaves unanswered.
 * A response whose id we did not send (or already retired), or whose kind does not fit the request (a
 * chunk for a chunk-list request), is a protocol error: {@link XetWireException}.
 *
 * <p>Requests live in a fixed table of slots ({@code id & mask}), so tracking allocates nothing; ids
 * increase (wrapping over the u32 range) and skip any whose slot is taken. Not thread-safe: use it on the
 * peer's event loop. Times are {@link System#nanoTime()} values passed in, so tests control the clock.
 */
public final class XetRequestTracker {
    /** Default bound on requests in flight to one peer. */
    public static final int DEFAULT_MAX_OUTSTANDING = 64;

    /** A request for one chunk's bytes. */
    public static final int KIND_CHUNK = 1;
    /** A request for a fragment of a file's chunk list. */
    public static final int KIND_CHUNK_LIST = 2;

    private static final int FREE = 0;

    private final int maxOutstanding;
    private final long timeoutNanos;
    private final int mask;
    private final int[] ids;
    private final int[] kinds;
    private final XetHash[] hashes;
    private final int[] fileIndexes;
    private final long[] deadlines;
    private int outstanding;
    private int nextId;

    /** Receives each request that timed out; the request is already retired. */
    @FunctionalInterface
    public interface TimeoutSink {
        /** {@code hash} is null and {@code fileIndex} meaningful for a chunk-list request, and vice versa (-1). */
        void timedOut(int requestId, int kind, XetHash hash, int fileIndex);
    }

    /** At most {@code maxOutstanding} requests in flight (1..65536); each times out after {@code timeoutNanos}. */
    public XetRequestTracker(final int maxOutstanding, final long timeoutNanos) {
        if (maxOutstanding < 1 || maxOutstanding > 1 << 16) {
            throw new IllegalArgumentException("max outstanding requests " + maxOutstanding + " is not in [1, 65536]");
        }
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("request timeout must be positive: " + timeoutNanos + " ns");
        }
        this.maxOutstanding = maxOutstanding;
        this.timeoutNanos = timeoutNanos;
        // slots: the next power of two, so that a request id maps to its slot with a mask
        final int capacity = Integer.bitCount(maxOutstanding) == 1 ? maxOutstanding : Integer.highestOneBit(maxOutstanding) << 1;
        this.mask = capacity - 1;
        this.ids = new int[capacity];
        this.kinds = new int[capacity];
        this.hashes = new XetHash[capacity];
        this.fileIndexes = new int[capacity];
        this.deadlines = new long[capacity];
    }

    /** Whether another request may be sent now. */
    public boolean canRequest() {
        return outstanding < maxOutstanding;
    }

    /** Requests in flight. */
    public int outstanding() {
        return outstanding;
    }

    /** The bound given at construction. */
    public int maxOutstanding() {
        return maxOutstanding;
    }

    /**
     * Records a CHUNK_REQUEST for {@code hash} sent at {@code nowNanos} and returns its request id.
     *
     * @throws IllegalStateException if {@link #canRequest()} is false (the caller must wait: back-pressure)
     */
    public int requestChunk(final XetHash hash, final long nowNanos) {
        return add(KIND_CHUNK, Objects.requireNonNull(hash, "hash"), -1, nowNanos);
    }

    /** Records a CHUNK_LIST_REQUEST for file {@code fileIndex}; as {@link #requestChunk}. */
    public int requestChunkList(final int fileIndex, final long nowNanos) {
        if (fileIndex < 0) {
            throw new IllegalArgumentException("file index must not be negative: " + fileIndex);
        }
        return add(KIND_CHUNK_LIST, null, fileIndex, nowNanos);
    }

    private int add(final int kind, final XetHash hash, final int fileIndex, final long nowNanos) {
        if (outstanding >= maxOutstanding) {
            throw new IllegalStateException("already " + outstanding + " ut_xet requests outstanding (limit "
                    + maxOutstanding + ")");
        }
        int id = nextId;
        while (kinds[id & mask] != FREE) { // a free slot exists: fewer requests than slots are in flight
            id++;
        }
        nextId = id + 1;
        final int slot = id & mask;
        ids[slot] = id;
        kinds[slot] = kind;
        hashes[slot] = hash;
        fileIndexes[slot] = fileIndex;
        deadlines[slot] = nowNanos + timeoutNanos;
        outstanding++;
        return id;
    }

    /**
     * The kind of the outstanding request {@code requestId} ({@link #KIND_CHUNK} or {@link #KIND_CHUNK_LIST}),
     * for responses that can answer either (CHUNK_NOT_FOUND, CHUNK_ERROR).
     *
     * @throws XetWireException if no such request is outstanding
     */
    public int kindOf(final int requestId) {
        return kinds[slotOf(requestId)];
    }

    /**
     * Retires chunk request {@code requestId} and returns the hash it asked for; the response's bytes must
     * hash to it ({@link XetChunkVerifier}).
     *
     * @throws XetWireException if no such request is outstanding or it asked for a chunk list
     */
    public XetHash takeChunk(final int requestId) {
        final int slot = slotOf(requestId);
        if (kinds[slot] != KIND_CHUNK) {
            throw new XetWireException("ut_xet request " + Integer.toUnsignedString(requestId)
                    + " asked for a chunk list, the response is for a chunk");
        }
        final XetHash hash = hashes[slot];
        free(slot);
        return hash;
    }

    /**
     * Retires chunk-list request {@code requestId} and returns the file index it asked for.
     *
     * @throws XetWireException if no such request is outstanding or it asked for a chunk
     */
    public int takeChunkList(final int requestId) {
        final int slot = slotOf(requestId);
        if (kinds[slot] != KIND_CHUNK_LIST) {
            throw new XetWireException("ut_xet request " + Integer.toUnsignedString(requestId)
                    + " asked for a chunk, the response is for a chunk list");
        }
        final int fileIndex = fileIndexes[slot];
        free(slot);
        return fileIndex;
    }

    /** Retires every request whose deadline is at or before {@code nowNanos}, reporting each; returns how many. */
    public int expire(final long nowNanos, final TimeoutSink sink) {
        int expired = 0;
        for (int slot = 0; slot <= mask && outstanding > 0; slot++) {
            if (kinds[slot] != FREE && nowNanos - deadlines[slot] >= 0) {
                final int id = ids[slot];
                final int kind = kinds[slot];
                final XetHash hash = hashes[slot];
                final int fileIndex = fileIndexes[slot];
                free(slot);
                expired++;
                sink.timedOut(id, kind, hash, fileIndex);
            }
        }
        return expired;
    }

    /** Retires everything (the connection closed); returns how many were outstanding. */
    public int clear() {
        final int n = outstanding;
        for (int slot = 0; slot <= mask; slot++) {
            if (kinds[slot] != FREE) {
                free(slot);
            }
        }
        return n;
    }

    private int slotOf(final int requestId) {
        final int slot = requestId & mask;
        if (kinds[slot] == FREE || ids[slot] != requestId) {
            throw new XetWireException("ut_xet response to request id " + Integer.toUnsignedString(requestId)
                    + ", which is not outstanding (" + outstanding + " requests are)");
        }
        return slot;
    }

    private void free(final int slot) {
        kinds[slot] = FREE;
        hashes[slot] = null;
        outstanding--;
    }
}
