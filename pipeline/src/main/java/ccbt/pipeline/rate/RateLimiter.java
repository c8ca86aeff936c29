package ccbt.pipeline.rate;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket in bytes per second, shared by the torrents of an engine (they run on different event
 * loops, so it is lock-free). The download side spends tokens when it sends a request, so a limit slows
 * the requests down instead of buffering data that has already arrived.
 */
public final class RateLimiter {
    private final long bytesPerSecond;
    private final long burst;
    private final LongSupplier clock;
    private final AtomicLong tokens;
    private final AtomicLong lastRefillNanos;

    /**
     * @param bytesPerSecond the limit; 0 means unlimited
     * @param clock          nanosecond clock ({@code System::nanoTime} outside tests)
     */
    public RateLimiter(final long bytesPerSecond, final LongSupplier clock) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("negative rate limit " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        // A quarter of a second of burst keeps the pipe full between the 250 ms ticks without overshooting.
        this.burst = Math.max(16 * 1024, bytesPerSecond / 4);
        this.clock = clock;
        this.tokens = new AtomicLong(burst);
        this.lastRefillNanos = new AtomicLong(clock.getAsLong());
    }

    /** An unlimited limiter. */
    public static RateLimiter unlimited() {
        return new RateLimiter(0, System::nanoTime);
    }

    public boolean isUnlimited() {
        return bytesPerSecond == 0;
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Takes {@code bytes} tokens if they are there; returns whether it did. */
    public boolean tryAcquire(final long bytes) {
        if (bytesPerSecond == 0) {
            return true;
        }
        refill();
        while (true) {
            final long have = tokens.get();
            if (have < bytes) {
                return false;
            }
            if (tokens.compareAndSet(have, have - bytes)) {
                return true;
            }
        }
    }

    private void refill() {
        final long now = clock.getAsLong();
        final long last = lastRefillNanos.get();
        final long elapsed = now - last;
        if (elapsed <= 0) {
            return;
        }
        final long add = (long) (elapsed * (bytesPerSecond / 1e9));
        if (add == 0 || !lastRefillNanos.compareAndSet(last, now)) {
            return;
        }
        tokens.accumulateAndGet(add, (t, a) -> Math.min(burst, t + a));
    }
}
