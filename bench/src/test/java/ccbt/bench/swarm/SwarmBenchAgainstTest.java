package ccbt.bench.swarm;

import ccbt.peers.RealPeers;
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
 * {@code bench swarm --quick --against aria2|transmission}: ccbt against each real client on a small payload (download,
 * recheck, and for aria2 upload; loopback only), checking that every download was verified and that the report names the
 * client and keeps the other clients' sections. No speed is asserted. Skipped (failed in CI) only when the client's
 * binary is missing.
 */
class SwarmBenchAgainstTest {
    /** aria2: upload too, so that ccbt's seeder is found through the tracker. */
    private static final List<String> ARIA2_SCENARIOS = List.of("download", "upload", "recheck");
    /**
     * transmission: download covers both ways through the relay (ccbt dials a front port; two daemons are
     * introduced); upload would add two more of transmission's ~15 s unchoke waits (RelayTest covers introductions).
     */
    private static final List<String> TRANSMISSION_SCENARIOS = List.of("download", "recheck");

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void quickRunAgainstAria2(@TempDir final Path dir) throws Exception {
        RealPeers.require("aria2c");
        RealPeers.require("opentracker");
        quickRun(dir, "aria2", ARIA2_SCENARIOS);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void quickRunAgainstTransmission(@TempDir final Path dir) throws Exception {
        RealPeers.require("transmission-daemon");
        quickRun(dir, "transmission", TRANSMISSION_SCENARIOS);
    }

    private static void quickRun(final Path dir, final String against, final List<String> scenarios)
        throws Exception {
        final Path root = Path.of(System.getProperty("ccbt.project.root", "..")).toAbsolutePath().normalize();
        final Path docs = dir.resolve("docs");
        Files.createDirectories(docs);
        Files.writeString(docs.resolve("benchmarks.md"), """
            # Benchmarks

            <!-- swarm:begin -->
            libtorrent section stays
            <!-- swarm:end -->

            <!-- jmh:begin -->
            JMH figures stay here.
            <!-- jmh:end -->
            """);
        final Path out = dir.resolve("out");
        final Map<String, Object> results = SwarmBench.run(SwarmOptions.parse(List.of("--quick", "--size", "4MiB",
            "--against", against, "--scenarios", String.join(",", scenarios), "--out", out.toString(),
            "--docs", docs.toString()), root), root, System.out);
        checkResults(results, against, scenarios);

        final String md = Files.readString(docs.resolve("benchmarks.md"));
        assertThat(md).contains("libtorrent section stays", "JMH figures stay here.",
            "## Swarm benchmark against " + against, "### download: ccbt leecher ← " + against + " seeder",
            "### recheck: ccbt vs " + against, "| " + against + " (reference) | 1/1 |",
            "How " + against + " was driven", "load average at start / end");
        // the new section goes after the libtorrent one, before the JMH section
        assertThat(md.indexOf("<!-- swarm-" + against + ":begin -->")).isGreaterThan(md.indexOf("<!-- swarm:end -->"))
            .isLessThan(md.indexOf("<!-- jmh:begin -->"));
        final String svg = Files.readString(docs.resolve("bench-swarm-" + against + ".svg"));
        assertThat(svg).startsWith("<svg").contains("ccbt (red) vs " + against + " (blue)", against + " leecher");
        assertThat(Files.readString(out.resolve("results.json"))).contains("\"against\": \"" + against + "\"");
        // running again replaces this client's section and keeps one copy of it
        final String again = Report.replaceSection(md, Report.begin(against) + "\nnew\n" + Report.end(against), against);
        assertThat(again).contains("libtorrent section stays", "\nnew\n").doesNotContain("## Swarm benchmark against "
            + against);
        assertThat(out.resolve("work")).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith("download-"));
    }

    @SuppressWarnings("unchecked")
    private static void checkResults(final Map<String, Object> results, final String against,
                                     final List<String> expected) {
        final List<Map<String, Object>> scenarios = (List<Map<String, Object>>) results.get("scenarios");
        assertThat(scenarios).extracting(s -> s.get("id")).containsExactlyElementsOf(expected);
        for (final Map<String, Object> s : scenarios) {
            assertThat(((Map<String, Object>) s.get("reference")).get("client")).isEqualTo(against);
            for (final String key : List.of("trials", "reference_trials")) {
                final List<Map<String, Object>> trials = (List<Map<String, Object>>) s.get(key);
                assertThat(trials).hasSize(1);
                final Map<String, Object> t = trials.getFirst();
                // ok means: completed, and for downloads every file's SHA-256 matched afterwards
                assertThat(t.get("ok")).as("%s %s: %s", s.get("id"), key, t.get("error")).isEqualTo(true);
                assertThat((Double) t.get("wall_s")).isPositive();
                assertThat((Long) t.get("bytes")).isEqualTo(4L << 20);
                // the measured process (leecher, seeder or checker) is ccbt's on the subject side
                assertThat(t.get("client")).isEqualTo(key.equals("trials") ? "ccbt" : against);
                // aria2 moves 4 MiB in less CPU than /proc's 10 ms tick: only sanity here
                assertThat((Double) t.get("cpu_s")).isGreaterThanOrEqualTo(0.0);
            }
        }
    }
}
