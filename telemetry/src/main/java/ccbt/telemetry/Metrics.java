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

    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final Map<String, Family> families = new LinkedHashMap<>();
    private final Map<String, StageLatency> stages = new LinkedHashMap<>();
    private final long quantileWindowNanos;

    /** A registry whose stage quantiles cover the whole run (CLI runs, benchmarks). */
    public Metrics() {
        this.quantileWindowNanos = 0;
    }

    /**
     * A registry whose stage quantiles and max cover the last {@code quantileWindow} to twice that (a
     * long-running daemon); counts and sums stay cumulative as Prometheus expects.
     */
    public Metrics(final java.time.Duration quantileWindow) {
        if (quantileWindow.isNegative() || quantileWindow.isZero()) {
            throw new IllegalArgumentException("quantile window " + quantileWindow + " must be positive");
        }
        this.quantileWindowNanos = quantileWindow.toNanos();
    }

    /**
     * The counter called {@code name}, created on first use. Asking again with the same name returns
     * the same counter; a name already taken by a gauge is refused.
     */
    public Counter counter(final String name, final String help) {
        return counter(name, help, new String[0]);
    }

    /**
     * The counter {@code name} with labels given as name/value pairs, e.g.
     * {@code counter("ccbt_peer_bytes_total", "...", "direction", "down")}; created on first use. All
     * counters of one name share the label names. Keep label values bounded (no peer addresses).
     */
    public synchronized Counter counter(final String name, final String help, final String... labels) {
        final Family f = family(name, help, "counter", labels);
        final String key = renderLabels(labels);
        final Object existing = f.children.get(key);
        if (existing != null) {
            return (Counter) existing;
        }
        final Counter c = new Counter(name, help, key);
        f.children.put(key, c);
        return c;
    }

    /** Registers a gauge whose value is read from {@code value} at every scrape (on the scraping thread). */
    public void gauge(final String name, final String help, final DoubleSupplier value) {
        gauge(name, help, value, new String[0]);
    }

    /** Registers a gauge with an integral value (ring fill, open files, peers). */
    public void gauge(final String name, final String help, final LongSupplier value) {
        gauge(name, help, (DoubleSupplier) () -> value.getAsLong());
    }

    /** Registers a labeled gauge (labels as name/value pairs); each name and label set once. */
    public synchronized void gauge(final String name, final String help, final DoubleSupplier value,
                                   final String... labels) {
        final Family f = family(name, help, "gauge", labels);
        final String key = renderLabels(labels);
        if (f.children.containsKey(key)) {
            throw new IllegalArgumentException("gauge " + name + key + " is already registered");
        }
        f.children.put(key, value);
    }

    /**
     * Drops the counter or gauge {@code name} with exactly these labels (say, a removed torrent's), so that
     * label cardinality stays bounded. Returns false if there was none.
     */
    public synchronized boolean remove(final String name, final String... labels) {
        final Family f = families.get(name);
        if (f == null) {
            return false;
        }
        final boolean removed = f.children.remove(renderLabels(labels)) != null;
        if (f.children.isEmpty()) {
            families.remove(name);
        }
        return removed;
    }

    /** The latency recorder of {@code stageName}, created on first use. */
    public synchronized StageLatency stage(final String stageName) {
        if (stageName == null || stageName.isEmpty()) {
            throw new IllegalArgumentException("empty stage name");
        }
        return stages.computeIfAbsent(stageName, n -> new StageLatency(n, quantileWindowNanos));
    }

    /** All stage recorders, in creation order. */
    public synchronized List<StageLatency> stages() {
        return List.copyOf(stages.values());
    }

    /** All counters, in registration order. */
    public synchronized List<Counter> counters() {
        final List<Counter> out = new ArrayList<>();
        for (final Family f : families.values()) {
            for (final Object child : f.children.values()) {
                if (child instanceof Counter c) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** Everything, in the Prometheus text exposition format 0.0.4. */
    public String scrape() {
        final List<Family> snapshot = new ArrayList<>();
        final List<StageLatency> stageList;
        synchronized (this) {
            for (final Family f : families.values()) {
                snapshot.add(f.copy());
            }
            stageList = List.copyOf(stages.values());
        }
        final StringBuilder out = new StringBuilder(4096);
        for (final Family f : snapshot) {
            header(out, f.name, f.help, f.type);
            for (final Map.Entry<String, Object> e : f.children.entrySet()) {
                out.append(f.name).append(e.getKey()).append(' ');
                if (e.getValue() instanceof Counter c) {
                    out.append(c.get());
                } else {
                    out.append(formatDouble(readGauge((DoubleSupplier) e.getValue())));
                }
                out.append('\n');
            }
        }
        if (!stageList.isEmpty()) {
            final List<StageLatency.Snapshot> snaps = new ArrayList<>(stageList.size());
            for (final StageLatency s : stageList) {
                snaps.add(s.snapshot());
            }
            summary(out, STAGE_SERVICE, "Time a stage handler spent on one event.", snaps, true);
            summary(out, STAGE_QUEUE_WAIT, "Time an event waited in the ring before its stage took it.", snaps, false);
            maxGauge(out, STAGE_SERVICE_MAX, "Longest service time of a stage over the quantile window.", snaps, true);
            maxGauge(out, STAGE_QUEUE_WAIT_MAX, "Longest queue wait of a stage over the quantile window.", snaps, false);
        }
        return out.toString();
    }

    private Family family(final String name, final String help, final String type, final String[] labels) {
        checkName(name);
        final List<String> labelNames = labelNames(labels);
        final Family f = families.get(name);
        if (f == null) {
            final Family created = new Family(name, help == null ? "" : help, type, labelNames);
            families.put(name, created);
            return created;
        }
        if (!f.type.equals(type)) {
            throw new IllegalArgumentException("metric name " + name + " is already a " + f.type);
        }
        if (!f.labelNames.equals(labelNames)) {
            throw new IllegalArgumentException(
                    "metric " + name + " has labels " + f.labelNames + ", not " + labelNames);
        }
        return f;
    }

    private static List<String> labelNames(final String[] labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels must be name/value pairs, got " + List.of(labels));
        }
        final List<String> names = new ArrayList<>(labels.length / 2);
        for (int i = 0; i < labels.length; i += 2) {
            final String n = labels[i];
            if (n == null || !LABEL_NAME.matcher(n).matches() || n.startsWith("__") || n.equals("quantile")
                    || n.equals("le")) {
                throw new IllegalArgumentException("invalid label name " + n);
            }
            if (labels[i + 1] == null) {
                throw new IllegalArgumentException("label " + n + " has no value");
            }
            names.add(n);
        }
        return names;
    }

    /** {@code {a="x",b="y"}}, or "" without labels; also the key of a family's child. */
    private static String renderLabels(final String[] labels) {
        if (labels.length == 0) {
            return "";
        }
        final StringBuilder b = new StringBuilder().append('{');
        for (int i = 0; i < labels.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            b.append(labels[i]).append("=\"");
            escapeLabel(b, labels[i + 1]);
            b.append('"');
        }
        return b.append('}').toString();
    }

    private static double readGauge(final DoubleSupplier g) {
        try {
            return g.getAsDouble();
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
                out.append(d.windowCount() == 0 ? "NaN" : formatDouble(seconds(d.quantile(q)))).append('\n');
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

    /** All metrics of one name: one HELP and TYPE, one sample line per label set. */
    private record Family(String name, String help, String type, List<String> labelNames,
                          LinkedHashMap<String, Object> children) {
        Family(final String name, final String help, final String type, final List<String> labelNames) {
            this(name, help, type, labelNames, new LinkedHashMap<>());
        }

        Family copy() {
            return new Family(name, help, type, labelNames, new LinkedHashMap<>(children));
        }
    }
}
