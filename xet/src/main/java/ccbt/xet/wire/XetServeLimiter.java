package ccbt.xet.wire;

/**
 * Bounds the peer's requests we are serving at once (reads from disk or the chunk store in progress), so that
 * a peer cannot queue unbounded work on us: a request beyond the bound is answered at once with CHUNK_ERROR
 * {@link XetWireDescriptor#ERROR_BUSY} instead of being queued. Not thread-safe: use it on the peer's event
 * loop (completions of reads are handed back there).
 */
public final class XetServeLimiter {
    /** Default bound: as many as we ask of a peer ({@link XetRequestTracker#DEFAULT_MAX_OUTSTANDING}). */
    public static final int DEFAULT_MAX_IN_PROGRESS = XetRequestTracker.DEFAULT_MAX_OUTSTANDING;

    private final int maxInProgress;
    private int inProgress;
    private long refused;

    public XetServeLimiter(final int maxInProgress) {
        if (maxInProgress < 1) {
            throw new IllegalArgumentException("max requests in progress must be positive: " + maxInProgress);
        }
        this.maxInProgress = maxInProgress;
    }

    /** Starts serving one request if the bound allows; false means answer CHUNK_ERROR busy. */
    public boolean tryStart() {
        if (inProgress >= maxInProgress) {
            refused++;
            return false;
        }
        inProgress++;
        return true;
    }

    /** One request started with {@link #tryStart()} has been answered. */
    public void finish() {
        if (inProgress == 0) {
            throw new IllegalStateException("finish() without a request in progress");
        }
        inProgress--;
    }

    /** Requests being served now. */
    public int inProgress() {
        return inProgress;
    }

    /** Requests answered with busy so far (a peer that keeps overrunning the bound is misbehaving). */
    public long refused() {
        return refused;
    }
}
