package ccbt.bench.swarm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@code bench swarm --quick} (8 MiB, download and recheck, loopback only) with ccbt against libtorrent, and in
 * "real vs real" mode (libtorrent on both sides), and checks that the downloads were verified and the report, the
 * JSON and the chart were produced. No speed is asserted.
 */
class SwarmBenchQuickTest {
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void quickRunVerifiesTheDataAndWritesReportJsonAndChart(@TempDir final Path dir) throws Exception {
        final Path root = Path.of(System.getProperty("ccbt.project.root", "..")).toAbsolutePath().normalize();
        final Path docs = dir.resolve("docs");
        Files.createDirectories(docs);
        Files.writeString(docs.resolve("benchmarks.md"), """
            # Benchmarks

            JMH figures stay here.

            <!-- swarm:begin -->
            old swarm section
            <!-- swarm:end -->

            Trailing notes stay too.
            """);
        final Path out = dir.resolve("out");
        final Map<String, Object> results = SwarmBench.run(SwarmOptions.parse(List.of("--quick", "--subject",
            "libtorrent", "--out", out.toString(), "--docs", docs.toString()), root), root, System.out);
        checkResults(results, "libtorrent");

        assertThat(Files.readString(out.resolve("results.json"))).contains("\"scenarios\"", "\"download\"");
        final String svg = Files.readString(out.resolve("bench-swarm.svg"));
        assertThat(svg).startsWith("<svg").contains("polyline", "download", "recheck").endsWith("</svg>\n");
        assertThat(docs.resolve("bench-swarm.svg")).hasContent(svg);
        final String md = Files.readString(docs.resolve("benchmarks.md"));
        assertThat(md).contains("JMH figures stay here.", "Trailing notes stay too.", "## Swarm benchmark",
            "### download:", "### recheck:", "| libtorrent | 1/1 |", "real vs real").doesNotContain("old swarm section");
        // the downloads were checked by SHA-256 and the leecher directories removed afterwards
        assertThat(out.resolve("work")).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith("download-"));
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void quickRunOfCcbtAgainstLibtorrent(@TempDir final Path dir) throws Exception {
        final Path root = Path.of(System.getProperty("ccbt.project.root", "..")).toAbsolutePath().normalize();
        final Path out = dir.resolve("out");
        final Map<String, Object> results = SwarmBench.run(SwarmOptions.parse(List.of("--quick", "--out",
            out.toString(), "--no-docs"), root), root, System.out);
        checkResults(results, "ccbt");
        assertThat(Files.readString(out.resolve("swarm.md"))).contains("| ccbt | 1/1 |", "Stage telemetry of ccbt")
            .doesNotContain("real vs real");
    }

    @SuppressWarnings("unchecked")
    private static void checkResults(final Map<String, Object> results, final String subject) {
        final List<Map<String, Object>> scenarios = (List<Map<String, Object>>) results.get("scenarios");
        assertThat(scenarios).extracting(s -> s.get("id")).containsExactly("download", "recheck");
        for (final Map<String, Object> s : scenarios) {
            for (final String key : List.of("trials", "reference_trials")) {
                final List<Map<String, Object>> trials = (List<Map<String, Object>>) s.get(key);
                assertThat(trials).hasSize(1);
                final Map<String, Object> t = trials.getFirst();
                assertThat(t.get("ok")).as("%s %s: %s", s.get("id"), key, t.get("error")).isEqualTo(true);
                assertThat((Double) t.get("wall_s")).isPositive();
                assertThat((Double) t.get("cpu_s")).isPositive();
                assertThat((Long) t.get("peak_rss_bytes")).isGreaterThan(1L << 20);
                assertThat((Long) t.get("bytes")).isEqualTo(8L << 20);
                assertThat(t.get("client")).isEqualTo(key.equals("trials") ? subject : "libtorrent");
            }
        }
        final Map<String, Object> limits = (Map<String, Object>) results.get("limits");
        assertThat((Double) limits.get("sha1_per_core_bytes_per_s")).isPositive();
        assertThat((Double) limits.get("loopback_tcp_bytes_per_s")).isPositive();
        assertThat((Double) limits.get("disk_write_bytes_per_s")).isPositive();
        assertThat((Double) limits.get("disk_write_fsync_bytes_per_s")).isPositive();
    }
}
