package ccbt.telemetry;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency of one pipeline stage: how long an event waited in the ring before its handler took it
 * (queue wait), and how long the handler worked on it (service). Handlers call {@link #record} on
 * their own threads; several handlers of one stage may record at once. Recording is wait-free and
 * allocation-free (HdrHistogram {@link Recorder}); {@link #snapshot()} swaps the interval histograms
 * out and folds them into cumulative ones, without stopping the writers.
 *
 * <p>Quantiles are over everything recorded since the stage was created (like the count and sum).
 */
public final class StageLatency {
    /** Longest latency tracked; longer values are recorded as this (a stage stuck that long is broken anyway). */
    static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int SIGNIFICANT_DIGITS = 3;

    private final String stage;
    private final Side service = new Side();
    private final Side queueWait = new Side();

    StageLatency(final String stage) {
        this.stage = stage;
    }

    /** The stage's name, as in the {@code stage} label. */
    public String stage() {
        return stage;
    }

    /**
     * Records one event. Negative values (clock steps between threads) count as zero; values above
     * ten minutes count as ten minutes.
     */
    public void record(final long queueWaitNanos, final long serviceNanos) {
        queueWait.record(queueWaitNanos);
        service.record(serviceNanos);
    }

    /** Cumulative statistics of both latencies since creation. Safe to call from any thread. */
    public synchronized Snapshot snapshot() {
        return new Snapshot(stage, service.snapshot(), queueWait.snapshot());
    }

    /** One stage's statistics. */
    public record Snapshot(String stage, Distribution service, Distribution queueWait) {
    }

    /**
     * Statistics of one latency in nanoseconds. {@code sumNanos} is exact (values above ten minutes
     * excepted); quantiles and max carry HdrHistogram's three significant digits.
     */
    public record Distribution(long count, long sumNanos, long p50, long p99, long p999, long max) {
        /** The value at {@code quantile} (0..1) in nanoseconds, for the quantiles this record keeps. */
        public long quantile(final double quantile) {
            if (quantile == 0.5) {
                return p50;
            }
            if (quantile == 0.99) {
                return p99;
            }
            if (quantile == 0.999) {
                return p999;
            }
            throw new IllegalArgumentException("quantile " + quantile + " is not kept (0.5, 0.99, 0.999)");
        }
    }

    /** One latency: a recorder that writers hit, and a cumulative histogram only the reader touches. */
    private static final class Side {
        private final Recorder recorder = new Recorder(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
        private final Histogram cumulative = new Histogram(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
        private final LongAdder sum = new LongAdder();
        private Histogram recycle;

        void record(final long nanos) {
            final long v = nanos < 0 ? 0 : Math.min(nanos, HIGHEST_TRACKABLE_NANOS);
            recorder.recordValue(v);
            sum.add(v);
        }

        Distribution snapshot() {
            final Histogram interval = recorder.getIntervalHistogram(recycle);
            cumulative.add(interval);
            recycle = interval;
            final long count = cumulative.getTotalCount();
            if (count == 0) {
                return new Distribution(0, 0, 0, 0, 0, 0);
            }
            return new Distribution(
                    count,
                    sum.sum(),
                    cumulative.getValueAtPercentile(50.0),
                    cumulative.getValueAtPercentile(99.0),
                    cumulative.getValueAtPercentile(99.9),
                    cumulative.getMaxValue());
        }
    }
}
