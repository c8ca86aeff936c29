package ccbt.telemetry;

import java.util.List;
import java.util.Locale;

/** Human-readable renderings of {@link Metrics} for the CLI. */
public final class TextReport {
    private TextReport() {
    }

    /**
     * A table of every stage: event count, then p50/p99/p99.9/max of service time and of queue wait,
     * in microseconds. One line per stage after a header; "(no stages)" if none were created.
     */
    public static String stageTable(final Metrics metrics) {
        final List<StageLatency> stages = metrics.stages();
        if (stages.isEmpty()) {
            return "(no stages)\n";
        }
        int nameWidth = "stage".length();
        for (final StageLatency s : stages) {
            nameWidth = Math.max(nameWidth, s.stage().length());
        }
        final String row = "%-" + nameWidth + "s %12s | %9s %9s %9s %9s | %9s %9s %9s %9s%n";
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-" + nameWidth + "s %12s | %-39s | %-39s%n",
                "", "", "service (µs)", "queue wait (µs)"));
        out.append(String.format(Locale.ROOT, row,
                "stage", "events", "p50", "p99", "p99.9", "max", "p50", "p99", "p99.9", "max"));
        for (final StageLatency s : stages) {
            final StageLatency.Snapshot snap = s.snapshot();
            final StageLatency.Distribution sv = snap.service();
            final StageLatency.Distribution qw = snap.queueWait();
            out.append(String.format(Locale.ROOT, row, snap.stage(), sv.count(),
                    micros(sv.p50()), micros(sv.p99()), micros(sv.p999()), micros(sv.max()),
                    micros(qw.p50()), micros(qw.p99()), micros(qw.p999()), micros(qw.max())));
        }
        return out.toString();
    }

    private static String micros(final long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
    }
}
