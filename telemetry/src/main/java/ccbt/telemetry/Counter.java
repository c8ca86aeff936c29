package ccbt.telemetry;

import java.util.concurrent.atomic.LongAdder;

/**
 * A monotonically increasing count, safe to bump from any thread. Backed by a {@link LongAdder}: the hot
 * path neither allocates nor contends on one cache line.
 */
public final class Counter {
    private final String name;
    private final String help;
    private final String labels;
    private final LongAdder value = new LongAdder();

    Counter(final String name, final String help, final String labels) {
        this.name = name;
        this.help = help;
        this.labels = labels;
    }

    /** Adds one. */
    public void inc() {
        value.increment();
    }

    /** Adds {@code delta}, which must not be negative (a counter never goes down). */
    public void add(final long delta) {
        if (delta < 0) {
            throw new IllegalArgumentException("counter " + name + labels + " cannot decrease by " + delta);
        }
        value.add(delta);
    }

    /** The current total; concurrent increments may or may not be included. */
    public long get() {
        return value.sum();
    }

    public String name() {
        return name;
    }

    public String help() {
        return help;
    }

    /** The label set as exposed, e.g. {@code {direction="down"}}, or "" for none. */
    public String labels() {
        return labels;
    }
}
