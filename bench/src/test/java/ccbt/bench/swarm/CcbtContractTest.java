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
 * The harness's ccbt path (process start, "listening" line, metrics scraping, exit-0 completion, stage telemetry
 * in the report), driven against {@code fake_ccbt.py}, a stand-in that keeps ccbt's side of the command-line contract
 * and does the transfer through libtorrent. The real engine is plugged in with {@code --ccbt bin/ccbt}.
 */
class CcbtContractTest {
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    @SuppressWarnings("unchecked")
    void ccbtSideIsStartedSampledScrapedAndReported(@TempDir final Path dir) throws Exception {
        final Path root = Path.of(System.getProperty("ccbt.project.root", "..")).toAbsolutePath().normalize();
        final Path fake = Path.of(CcbtContractTest.class.getResource("/swarm/fake_ccbt.py").toURI());
        final Path script = LibtorrentClient.locateScript(null);
        final Path out = dir.resolve("out");
        final SwarmOptions options = SwarmOptions.parse(List.of("--quick", "--scenarios", "download,upload,recheck",
            "--size", "4MiB", "--ccbt", "/usr/bin/python3 " + fake + " " + script, "--out", out.toString(),
            "--no-docs"), root);

        final Map<String, Object> results = SwarmBench.run(options, root, System.out);

        final List<Map<String, Object>> scenarios = (List<Map<String, Object>>) results.get("scenarios");
        assertThat(scenarios).extracting(s -> s.get("id")).containsExactly("download", "upload", "recheck");
        for (final Map<String, Object> s : scenarios) {
            final Map<String, Object> t = ((List<Map<String, Object>>) s.get("trials")).getFirst();
            assertThat(t.get("ok")).as("%s: %s", s.get("id"), t.get("error")).isEqualTo(true);
            assertThat(t.get("client")).isEqualTo("ccbt");
            // the stand-in's CPU includes the libtorrent process it waits for: descendants are counted
            assertThat((Double) t.get("cpu_s")).isPositive();
        }
        final Map<String, Object> download = scenarios.getFirst();
        final Map<String, Object> t = ((List<Map<String, Object>>) download.get("trials")).getFirst();
        assertThat((List<Double>) t.get("ring_fill")).isNotEmpty().containsOnly(1.0);
        final Map<String, Object> telemetry = (Map<String, Object>) download.get("stage_telemetry");
        assertThat(telemetry.get("stages").toString()).contains("hash-verify", "ccbt_stage_service_seconds");
        assertThat(Files.readString(out.resolve("swarm.md"))).contains("| ccbt | 1/1 |",
            "Stage telemetry of ccbt", "| hash-verify | 200.0 | 900.0 | 2000.0 | 10.0 | – | – |");
    }
}
