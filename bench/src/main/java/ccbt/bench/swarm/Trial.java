package ccbt.bench.swarm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One side of one scenario in one repetition: what the measured process did and cost.
 *
 * @param scenario         scenario id
 * @param side             {@code subject} (the client under test) or {@code reference}
 * @param client           the measured process's client
 * @param rep              repetition, from 1
 * @param order            position in the repetition (1 = ran first)
 * @param ok               completed and verified
 * @param error            why not, or null
 * @param wallSeconds      from starting the leechers (or the recheck) until all completed
 * @param bytes            payload bytes moved (all leechers) or checked
 * @param cpuSeconds       user + system CPU of the measured process over the trial
 * @param peakRssBytes     peak RSS of the measured process
 * @param firstByteSeconds from start until the first payload byte was reported
 * @param firstByteSaid    whether the client said that moment itself (see {@link BenchPeer#firstByteAtNanos}) rather
 *                         than the sampler seeing the first progress on a 250 ms tick
 * @param series           {seconds, bytes done} every 250 ms
 * @param processes        every process of the trial with its role, CPU and peak RSS
 * @param metrics          the measured ccbt process's last Prometheus text, or null
 * @param ringFill         ring fill sampled every 250 ms from ccbt's metrics (empty if none)
 */
public record Trial(String scenario, String side, String client, int rep, int order, boolean ok, String error,
                    double wallSeconds, long bytes, double cpuSeconds, long peakRssBytes, double firstByteSeconds,
                    boolean firstByteSaid, List<double[]> series, List<Map<String, Object>> processes, String metrics, List<Double> ringFill) {
    static final double MIB = 1 << 20;
    static final double GIB = 1 << 30;

    /** Throughput in MiB/s over the wall time. */
    public double mibPerSecond() {
        return bytes / MIB / wallSeconds;
    }

    /** Throughput in MiB/s from the first payload byte to completion: the rate without the clients' start-up. */
    public double mibPerSecondAfterFirstByte() {
        final double t = wallSeconds - firstByteSeconds;
        // progress is sampled every 250 ms: a span of a couple of samples says nothing about a rate, unless the
        // client said when it began
        return t >= (firstByteSaid ? 0.01 : 0.5) ? bytes / MIB / t : Double.NaN;
    }

    /** CPU seconds per GiB moved or checked. */
    public double cpuPerGiB() {
        return cpuSeconds / (bytes / GIB);
    }

    /** The trial as a JSON-ready map (series as [t, bytes] pairs). */
    public Map<String, Object> toMap() {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario);
        m.put("side", side);
        m.put("client", client);
        m.put("rep", rep);
        m.put("order", order);
        m.put("ok", ok);
        m.put("error", error);
        m.put("wall_s", wallSeconds);
        m.put("bytes", bytes);
        m.put("mib_per_s", ok ? mibPerSecond() : Double.NaN);
        m.put("mib_per_s_after_first_byte", ok ? mibPerSecondAfterFirstByte() : Double.NaN);
        m.put("cpu_s", cpuSeconds);
        m.put("cpu_s_per_gib", cpuPerGiB());
        m.put("peak_rss_bytes", peakRssBytes);
        m.put("first_byte_s", firstByteSeconds);
        m.put("first_byte_said", firstByteSaid);
        m.put("processes", processes);
        m.put("series", series.stream().map(p -> List.of(p[0], p[1])).toList());
        m.put("ring_fill", ringFill);
        return m;
    }
}
