package ccbt.bench.swarm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The report from hand-made trials: tables, ratios, failures and ccbt's stage telemetry. */
class ReportTest {
    private static final String METRICS = """
        # TYPE ccbt_stage_service_seconds summary
        ccbt_stage_service_seconds{stage="hash-verify",quantile="0.5"} 0.000250
        ccbt_stage_service_seconds{stage="hash-verify",quantile="0.99"} 0.000900
        ccbt_stage_service_seconds{stage="hash-verify",quantile="0.999"} 0.002
        ccbt_stage_queue_wait_seconds{stage="hash-verify",quantile="0.5"} 0.000010
        ccbt_stage_queue_wait_seconds{stage="hash-verify",quantile="0.99"} 0.000050
        ccbt_stage_queue_wait_seconds{stage="hash-verify",quantile="0.999"} 0.0001
        ccbt_stage_service_seconds{stage="disk-write",quantile="0.5"} 0.0005
        ccbt_ring_fill 3
        """;

    private static Trial trial(final String side, final String client, final int rep, final double wall,
                               final boolean ok, final String metrics) {
        return new Trial("download", side, client, rep, 1, ok, ok ? null : "verification failed: payload.bin differs",
            ok ? wall : Double.NaN, 1L << 30, wall / 2, 200L << 20, 0.5, false,
            List.of(new double[] {0, 0}, new double[] {wall, 1L << 30}), List.of(), metrics, List.of(2.0, 4.0));
    }

    @Test
    @SuppressWarnings("unchecked")
    void tablesRatiosFailuresAndTelemetry(@TempDir final Path dir) throws Exception {
        final SwarmOptions options = SwarmOptions.parse(List.of("--reps", "3", "--scenarios", "download", "--out",
            dir.resolve("out").toString(), "--docs", dir.resolve("docs").toString()), null);
        final MachineLimits limits = new MachineLimits(2, 1.8e9, "JDK MessageDigest", 3.0e9, 1.0e9, 0.5e9, 0.9e9, 5e9, 1L << 30);
        final Payload payload = new Payload(dir, "payload.bin",
            List.of(new Payload.PayloadFile("payload.bin", 1L << 30, "00")), dir.resolve("payload.torrent"), 1 << 20);
        final List<Trial> trials = List.of(
            trial("subject", "ccbt", 1, 2.0, true, METRICS), trial("reference", "libtorrent", 1, 4.0, true, null),
            trial("subject", "ccbt", 2, 3.0, true, METRICS), trial("reference", "libtorrent", 2, 4.0, true, null),
            trial("subject", "ccbt", 3, 9.0, false, null), trial("reference", "libtorrent", 3, 5.0, true, null));

        final Map<String, Object> json = new Report(options, limits, payload, trials, Map.of("cores", 2), 10).write();

        final Map<String, Object> download = ((List<Map<String, Object>>) json.get("scenarios")).getFirst();
        // medians over the successful runs: ccbt (512 + 341.3) / 2 MiB/s, libtorrent 256 MiB/s
        assertThat((Double) download.get("ratio_throughput")).isCloseTo(5.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(download.get("binding_limit")).isEqualTo("disk write");
        final String md = Files.readString(dir.resolve("docs/benchmarks.md"));
        assertThat(md).contains("| ccbt | 2/3 | 2.00 / 2.50 / 3.00 |", "| libtorrent (reference) | 3/3 |",
            "throughput 1.67×", "- failed: rep 3, subject (ccbt): verification failed",
            "| hash-verify | 250.0 | 900.0 | 2000.0 | 10.0 | 50.0 | 100.0 |", "| disk-write | 500.0 | – |",
            "mean 3.0, max 4 over 2 samples");
        assertThat(Files.readString(dir.resolve("out/bench-swarm.svg"))).contains("1.67×");
    }

    @Test
    void saysWhenTheMachineWasBusyAndNamesTheClientInSectionAndChart(@TempDir final Path dir) throws Exception {
        final MachineLimits limits = new MachineLimits(2, 1.8e9, "JDK MessageDigest", 3.0e9, 1.0e9, 0.5e9, 0.9e9, 5e9, 1L << 30);
        final Payload payload = new Payload(dir, "payload.bin",
            List.of(new Payload.PayloadFile("payload.bin", 1L << 30, "00")), dir.resolve("payload.torrent"), 1 << 20);
        final List<Trial> trials = List.of(trial("subject", "ccbt", 1, 2.0, true, null),
            trial("reference", "aria2", 1, 4.0, true, null));
        // start load, others' CPU share (-1: not readable), whether the report calls the machine busy. The share
        // decides where it is known; the start load only where it is not; the end load (the run's own processes)
        // is high in every case and decides nothing
        final List<List<Object>> cases = List.of(List.of("0.40 0.30 0.20", 0.03, false),
            List.of("0.40 0.30 0.20", 0.35, true), List.of("5.10 4.00 3.00", 0.0, false),
            List.of("5.10 4.00 3.00", -1.0, true), List.of("0.40 0.30 0.20", -1.0, false));
        for (int i = 0; i < cases.size(); i++) {
            final String start = (String) cases.get(i).get(0);
            final double others = (Double) cases.get(i).get(1);
            final Path run = dir.resolve("run" + i);
            final SwarmOptions options = SwarmOptions.parse(List.of("--against", "aria2", "--reps", "1", "--scenarios",
                "download", "--out", run.resolve("out").toString(), "--no-docs", "--note", "256 MiB: the machine was busy"), null);
            final Map<String, Object> machine = new HashMap<>(Map.of("cores", 2, "aria2", "aria2 version 1.36.0",
                "load_average_start", start, "load_average_end", "9.00 4.00 2.00"));
            if (others >= 0) {
                machine.put("other_cpu_share", others);
            }
            new Report(options, limits, payload, trials, machine, 10).write();
            final String md = Files.readString(run.resolve("out/swarm.md"));
            assertThat(md).contains("## Swarm benchmark against aria2", "| aria2 version 1.36.0 | " + start + " / 9.00",
                "| aria2 (reference) | 1/1 |", "<!-- swarm-aria2:begin -->", "(bench-swarm-aria2.svg)",
                "Note on this run: 256 MiB: the machine was busy");
            assertThat(md.contains(String.format("used %.0f %% of the CPUs' time during the run", others * 100)))
                .isEqualTo(others >= 0);
            assertThat(md.contains("shared and busy")).as("busy note, case " + cases.get(i)).isEqualTo(cases.get(i).get(2));
            assertThat(run.resolve("out/bench-swarm-aria2.svg")).content().contains("ccbt (red) vs aria2 (blue)");
        }
    }
}
