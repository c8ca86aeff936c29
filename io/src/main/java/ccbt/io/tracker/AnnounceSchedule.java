package ccbt.io.tracker;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When to announce next to one tracker (or tier list). After an answer: the tracker's {@code interval}, raised to its
 * {@code min interval} and to our floor, lowered to our ceiling (a hostile or broken tracker must neither make us
 * hammer it nor silence us). After a failure: a back-off that starts at {@code firstBackoff} and doubles up to
 * {@code maxBackoff}. Pure bookkeeping: the caller supplies the clock and does the announcing. Not thread-safe.
 */
public final class AnnounceSchedule {
    /** Defaults: 15 s first back-off doubling to 30 min; intervals kept within 30 s .. 6 h. */
    public static final Duration FIRST_BACKOFF = Duration.ofSeconds(15);
    public static final Duration MAX_BACKOFF = Duration.ofMinutes(30);
    public static final Duration INTERVAL_FLOOR = Duration.ofSeconds(30);
    public static final Duration INTERVAL_CEILING = Duration.ofHours(6);

    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Duration intervalFloor;
    private final Duration intervalCeiling;

    private int consecutiveFailures;
    private Instant next = Instant.MIN;
    private Instant earliestAllowed = Instant.MIN;

    public AnnounceSchedule(Duration firstBackoff, Duration maxBackoff, Duration intervalFloor,
            Duration intervalCeiling) {
        if (firstBackoff.isNegative() || firstBackoff.isZero() || maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("back-off must satisfy 0 < first <= max: first=" + firstBackoff
                    + " max=" + maxBackoff);
        }
        if (intervalFloor.isNegative() || intervalCeiling.compareTo(intervalFloor) < 0) {
            throw new IllegalArgumentException("interval bounds must satisfy 0 <= floor <= ceiling: floor="
                    + intervalFloor + " ceiling=" + intervalCeiling);
        }
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.intervalFloor = intervalFloor;
        this.intervalCeiling = intervalCeiling;
    }

    /** The schedule with the default constants. */
    public AnnounceSchedule() {
        this(FIRST_BACKOFF, MAX_BACKOFF, INTERVAL_FLOOR, INTERVAL_CEILING);
    }

    /** Records an answer received at {@code now}; returns the time of the next regular announce. */
    public Instant succeeded(Instant now, AnnounceResponse response) {
        Objects.requireNonNull(now, "now");
        consecutiveFailures = 0;
        Duration min = response.minInterval().orElse(Duration.ZERO);
        Duration wait = max(response.interval(), min);
        wait = max(wait, intervalFloor);
        wait = wait.compareTo(intervalCeiling) > 0 ? intervalCeiling : wait;
        next = now.plus(wait);
        earliestAllowed = now.plus(max(min, Duration.ZERO));
        return next;
    }

    /** Records a failed announce at {@code now}; returns when to retry. */
    public Instant failed(Instant now) {
        Objects.requireNonNull(now, "now");
        consecutiveFailures++;
        next = now.plus(backoff(consecutiveFailures));
        return next;
    }

    /** The back-off after {@code failures} consecutive failures (1 → first back-off). */
    public Duration backoff(int failures) {
        if (failures < 1) {
            return Duration.ZERO;
        }
        // Doubling beyond 2^20 is far past any sane maximum; capping the shift keeps the arithmetic in range.
        Duration d = firstBackoff.multipliedBy(1L << Math.min(failures - 1, 20));
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    /** When the next announce is due ({@link Instant#MIN} before the first one: due now). */
    public Instant next() {
        return next;
    }

    /** Whether an announce is due at {@code now}. */
    public boolean isDue(Instant now) {
        return !now.isBefore(next);
    }

    /**
     * The earliest time an announce out of schedule (e.g. the user asks for more peers) respects the tracker's
     * {@code min interval}.
     */
    public Instant earliestAllowed() {
        return earliestAllowed;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
