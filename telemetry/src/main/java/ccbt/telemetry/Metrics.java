package ccbt.telemetry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The metrics registry of one engine: counters, gauges read at scrape time, and per-stage latency.
 * Registration is synchronized (it happens at start-up); the returned {@link Counter} and
 * {@link StageLatency} are what hot paths keep and hit. {@link #scrape()} renders everything in the
 * Prometheus text exposition format 0.0.4, in registration order.
 */
public final class Metrics {
    /** Family names of the stage latency summaries; the stage is the {@code stage} label. */
    public static final String STAGE_SERVICE = "ccbt_stage_service_seconds";
    public static final String STAGE_QUEUE_WAIT = "ccbt_stage_queue_wait_seconds";
    public static final String STAGE_SERVICE_MAX = "ccbt_stage_service_max_seconds";
    public static final String STAGE_QUEUE_WAIT_MAX = "ccbt_stage_queue_wait_max_seconds";

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final double[] QUANTILES = {0.5, 0.99, 0.999};

    private final Map<String, Object> byName = new LinkedHashMap<>();
    private final Map<String, StageLatency> stages = new LinkedHashMap<>();

    /**
     * The counter called {@code name}, created on first use. Asking again with the same name returns
     * the same counter; a name already taken by a gauge is refused.
     */
    public synchronized Counter counter(final String name, final String help) {
        checkName(name);
        final Object existing = byName.get(name);
        if (existing instanceof Counter c) {
            return c;
        }
        if (existing != null) {
            throw new IllegalArgumentException("metric name " + name + " is already a gauge");
        }
        final Counter c = new Counter(name, help);
        byName.put(name, c);
        return c;
    }

    /** Registers a gauge whose value is read from {@code value} at every scrape (on the scraping thread). */
    public synchronized void gauge(final String name, final String help, final DoubleSupplier value) {
        checkName(name);
        if (byName.containsKey(name)) {
            throw new IllegalArgumentException("metric name " + name + " is already registered");
        }
        byName.put(name, new Gauge(name, help, value));
    }

    /** Registers a gauge with an integral value (ring fill, open files, peers). */
    public void gauge(final String name, final String help, final LongSupplier value) {
        gauge(name, help, (DoubleSupplier) () -> value.getAsLong());
    }

    /** The latency recorder of {@code stageName}, created on first use. */
    public synchronized StageLatency stage(final String stageName) {
        if (stageName == null || stageName.isEmpty()) {
            throw new IllegalArgumentException("empty stage name");
        }
        return stages.computeIfAbsent(stageName, StageLatency::new);
    }

    /** All stage recorders, in creation order. */
    public synchronized List<StageLatency> stages() {
        return List.copyOf(stages.values());
    }

    /** All counters, in registration order. */
    public synchronized List<Counter> counters() {
        final List<Counter> out = new ArrayList<>();
        for (final Object m : byName.values()) {
            if (m instanceof Counter c) {
                out.add(c);
            }
        }
        return out;
    }

    /** Everything, in the Prometheus text exposition format 0.0.4. */
    public String scrape() {
        final List<Object> metrics;
        final List<StageLatency> stageList;
        synchronized (this) {
            metrics = new ArrayList<>(byName.values());
            stageList = List.copyOf(stages.values());
        }
        final StringBuilder out = new StringBuilder(4096);
        for (final Object m : metrics) {
            if (m instanceof Counter c) {
                header(out, c.name(), c.help(), "counter");
                out.append(c.name()).append(' ').append(c.get()).append('\n');
            } else if (m instanceof Gauge g) {
                header(out, g.name, g.help, "gauge");
                out.append(g.name).append(' ').append(formatDouble(readGauge(g))).append('\n');
            }
        }
        if (!stageList.isEmpty()) {
            final List<StageLatency.Snapshot> snaps = new ArrayList<>(stageList.size());
            for (final StageLatency s : stageList) {
                snaps.add(s.snapshot());
            }
            summary(out, STAGE_SERVICE, "Time a stage handler spent on one event.", snaps, true);
            summary(out, STAGE_QUEUE_WAIT, "Time an event waited in the ring before its stage took it.", snaps, false);
            maxGauge(out, STAGE_SERVICE_MAX, "Longest service time of a stage since start.", snaps, true);
            maxGauge(out, STAGE_QUEUE_WAIT_MAX, "Longest queue wait of a stage since start.", snaps, false);
        }
        return out.toString();
    }

    private static double readGauge(final Gauge g) {
        try {
            return g.value.getAsDouble();
        } catch (final RuntimeException e) {
            // A broken gauge must not take the whole scrape down; NaN is Prometheus' "no value".
            return Double.NaN;
        }
    }

    private static void summary(
            final StringBuilder out, final String family, final String help,
            final List<StageLatency.Snapshot> snaps, final boolean service) {
        header(out, family, help, "summary");
        for (final StageLatency.Snapshot s : snaps) {
            final StageLatency.Distribution d = service ? s.service() : s.queueWait();
            for (final double q : QUANTILES) {
                out.append(family).append("{stage=\"");
                escapeLabel(out, s.stage());
                out.append("\",quantile=\"").append(q).append("\"} ");
                out.append(d.count() == 0 ? "NaN" : formatDouble(seconds(d.quantile(q)))).append('\n');
            }
            out.append(family).append("_sum{stage=\"");
            escapeLabel(out, s.stage());
            out.append("\"} ").append(formatDouble(seconds(d.sumNanos()))).append('\n');
            out.append(family).append("_count{stage=\"");
            escapeLabel(out, s.stage());
            out.append("\"} ").append(d.count()).append('\n');
        }
    }

    private static void maxGauge(
            final StringBuilder out, final String family, final String help,
            final List<StageLatency.Snapshot> snaps, final boolean service) {
        header(out, family, help, "gauge");
        for (final StageLatency.Snapshot s : snaps) {
            final StageLatency.Distribution d = service ? s.service() : s.queueWait();
            out.append(family).append("{stage=\"");
            escapeLabel(out, s.stage());
            out.append("\"} ").append(formatDouble(seconds(d.max()))).append('\n');
        }
    }

    private static void header(final StringBuilder out, final String name, final String help, final String type) {
        out.append("# HELP ").append(name).append(' ');
        // In HELP only backslash and line feed are escaped (text format 0.0.4).
        for (int i = 0; i < help.length(); i++) {
            final char c = help.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c == '\n') {
                out.append("\\n");
            } else {
                out.append(c);
            }
        }
        out.append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    static void escapeLabel(final StringBuilder out, final String value) {
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    static String formatDouble(final double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        // Integral gauges (files, peers, slots) read better without ".0"; 2^53 keeps the cast exact.
        if (v == Math.rint(v) && Math.abs(v) < 0x1p53) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    private static double seconds(final long nanos) {
        return nanos / 1e9;
    }

    private static void checkName(final String name) {
        if (name == null || !METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid metric name " + name);
        }
        for (final String reserved : new String[] {STAGE_SERVICE, STAGE_QUEUE_WAIT, STAGE_SERVICE_MAX, STAGE_QUEUE_WAIT_MAX}) {
            if (name.startsWith(reserved)) {
                throw new IllegalArgumentException("metric name " + name + " is reserved for stage latency");
            }
        }
    }

    private record Gauge(String name, String help, DoubleSupplier value) {
    }
}
