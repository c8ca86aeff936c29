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
 * <p>Count and sum cover everything since the stage was created. Quantiles and max cover the same by
 * default (right for a CLI run or a benchmark); with a quantile window W (a seedbox that runs for weeks)
 * they cover the last W to 2W: two alternating window histograms, rotated at snapshot time.
 */
public final class StageLatency {
    /** Longest latency tracked; longer values are recorded as this (a stage stuck that long is broken anyway). */
    static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.MINUTES.toNanos(10);
    /**
     * Two significant digits (values within 1 %): every snapshot clears, merges and walks each histogram's whole
     * counts array, and at three digits (31 000 counts per histogram, 250 KB) one scrape of the metrics endpoint
     * cost a seeder 5-6 ms of CPU; at two the arrays are an eighth of that.
     */
    static final int SIGNIFICANT_DIGITS = 2;

    private final String stage;
    private final Side service;
    private final Side queueWait;

    StageLatency(final String stage, final long windowNanos) {
        this.stage = stage;
        this.service = new Side(windowNanos);
        this.queueWait = new Side(windowNanos);
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
    public Snapshot snapshot() {
        return snapshot(System.nanoTime());
    }

    synchronized Snapshot snapshot(final long nowNanos) {
        return new Snapshot(stage, service.snapshot(nowNanos), queueWait.snapshot(nowNanos));
    }

    /** One stage's statistics. */
    public record Snapshot(String stage, Distribution service, Distribution queueWait) {
    }

    /**
     * Statistics of one latency in nanoseconds. {@code count} and {@code sumNanos} are since creation and
     * exact (values above ten minutes excepted); quantiles and max are over the quantile window and carry
     * HdrHistogram's {@link #SIGNIFICANT_DIGITS} significant digits; {@code windowCount} is the number of events they are over
     * (equal to {@code count} without a window; 0 means the quantiles are undefined).
     */
    public record Distribution(long count, long sumNanos, long p50, long p99, long p999, long max, long windowCount) {
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

    /**
     * One latency: a recorder that writers hit, and histograms only the reader (under the stage's lock)
     * touches: cumulative, and with a window the current and previous window plus a merge buffer.
     */
    private static final class Side {
        private final Recorder recorder = new Recorder(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
        private final Histogram cumulative = newHistogram();
        private final LongAdder sum = new LongAdder();
        private final long windowNanos;
        private Histogram current;
        private Histogram previous;
        private Histogram merged;
        private long currentStart;
        private Histogram recycle;

        Side(final long windowNanos) {
            this.windowNanos = windowNanos;
            if (windowNanos > 0) {
                current = newHistogram();
                previous = newHistogram();
                merged = newHistogram();
                currentStart = System.nanoTime();
            }
        }

        private static Histogram newHistogram() {
            return new Histogram(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
        }

        void record(final long nanos) {
            final long v = nanos < 0 ? 0 : Math.min(nanos, HIGHEST_TRACKABLE_NANOS);
            recorder.recordValue(v);
            sum.add(v);
        }

        Distribution snapshot(final long now) {
            final Histogram interval = recorder.getIntervalHistogram(recycle);
            cumulative.add(interval);
            Histogram source = cumulative;
            if (windowNanos > 0) {
                final long age = now - currentStart;
                if (age >= 2 * windowNanos) {
                    // Nothing was snapshot for two windows: both are stale.
                    previous.reset();
                    current.reset();
                    currentStart = now;
                } else if (age >= windowNanos) {
                    final Histogram oldest = previous;
                    oldest.reset();
                    previous = current;
                    current = oldest;
                    currentStart = now;
                }
                current.add(interval);
                merged.reset();
                merged.add(previous);
                merged.add(current);
                source = merged;
            }
            recycle = interval;
            final long count = cumulative.getTotalCount();
            if (source.getTotalCount() == 0) {
                return new Distribution(count, sum.sum(), 0, 0, 0, 0, 0);
            }
            return new Distribution(
                    count,
                    sum.sum(),
                    source.getValueAtPercentile(50.0),
                    source.getValueAtPercentile(99.0),
                    source.getValueAtPercentile(99.9),
                    source.getMaxValue(),
                    source.getTotalCount());
        }
    }
}
