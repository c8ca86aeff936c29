package ccbt.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {
    /** One sample line of text format 0.0.4: name, optional labels, value (no timestamps here). */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*})? "
                    + "(NaN|[+-]Inf|-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?)");

    @Test
    void scrapeIsWellFormedTextFormat() {
        Metrics m = sampleMetrics();
        String text = m.scrape();
        assertWellFormed(text);
        assertThat(text).contains("# TYPE ccbt_peer_bytes_total counter\nccbt_peer_bytes_total 1234\n");
        assertThat(text).contains("# TYPE ccbt_ring_fill gauge\nccbt_ring_fill 0.25\n");
        assertThat(text).contains("ccbt_open_files 7\n");
        assertThat(text).contains("# HELP ccbt_weird_total back\\\\slash and\\nnewline\n");
        assertThat(text).contains("# TYPE ccbt_stage_service_seconds summary\n");
        assertThat(text).contains("ccbt_stage_service_seconds{stage=\"hash_verify\",quantile=\"0.99\"} ");
        assertThat(text).contains("ccbt_stage_service_seconds_count{stage=\"hash_verify\"} 1000\n");
        assertThat(text).contains("ccbt_stage_queue_wait_seconds_count{stage=\"disk_write\"} 0\n");
        // A stage with no events yet has no quantiles: NaN, as Prometheus clients do.
        assertThat(text).contains("ccbt_stage_queue_wait_seconds{stage=\"disk_write\",quantile=\"0.5\"} NaN\n");
        // 1000 events of 1..1000 µs: sum is exactly 500.5 ms.
        assertThat(text).contains("ccbt_stage_service_seconds_sum{stage=\"hash_verify\"} 0.5005\n");
        assertThat(text).contains("ccbt_stage_queue_wait_seconds{stage=\"we\\\"ird\\\\\",quantile=\"0.5\"}");
    }

    @Test
    @Timeout(30)
    void promtoolAcceptsScrape(@TempDir Path dir) throws Exception {
        Path promtool = null;
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d, "promtool");
            if (Files.isExecutable(p)) {
                promtool = p;
                break;
            }
        }
        assumeTrue(promtool != null, "promtool (Debian package prometheus) not installed");
        Path file = dir.resolve("scrape.txt");
        Files.writeString(file, sampleMetrics().scrape(), StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics")
                .redirectInput(file.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // promtool exits non-zero for lint warnings too; it must report no parse error.
        assertThat(out).doesNotContain("error while linting").doesNotContain("text format parsing error");
    }

    @Test
    void counterNamesAreReusedAndTypesNotMixed() {
        Metrics m = new Metrics();
        Counter a = m.counter("ccbt_x_total", "x");
        assertThat(m.counter("ccbt_x_total", "x")).isSameAs(a);
        m.gauge("ccbt_g", "g", () -> 1.0);
        assertThatThrownBy(() -> m.counter("ccbt_g", "g")).hasMessageContaining("ccbt_g");
        assertThatThrownBy(() -> m.gauge("ccbt_x_total", "x", () -> 1.0)).hasMessageContaining("ccbt_x_total");
        assertThatThrownBy(() -> m.counter("bad name", "x")).hasMessageContaining("bad name");
        assertThatThrownBy(() -> m.counter("ccbt_stage_service_seconds", "x")).hasMessageContaining("reserved");
        assertThatThrownBy(() -> a.add(-1)).hasMessageContaining("ccbt_x_total");
        assertThat(m.stage("s")).isSameAs(m.stage("s"));
        assertThat(m.stages()).hasSize(1);
    }

    @Test
    void labeledMetricsShareOneFamilyAndCanBeRemoved() {
        Metrics m = new Metrics();
        Counter down = m.counter("ccbt_bytes_total", "Payload bytes.", "direction", "down");
        Counter up = m.counter("ccbt_bytes_total", "Payload bytes.", "direction", "up");
        assertThat(m.counter("ccbt_bytes_total", "Payload bytes.", "direction", "down")).isSameAs(down);
        down.add(10);
        up.add(3);
        m.gauge("ccbt_torrent_peers", "Peers per torrent.", () -> 4, "torrent", "ab\"c");
        String text = m.scrape();
        assertWellFormed(text);
        assertThat(text).containsOnlyOnce("# TYPE ccbt_bytes_total counter\n");
        assertThat(text).contains("ccbt_bytes_total{direction=\"down\"} 10\nccbt_bytes_total{direction=\"up\"} 3\n");
        assertThat(text).contains("ccbt_torrent_peers{torrent=\"ab\\\"c\"} 4\n");

        assertThatThrownBy(() -> m.counter("ccbt_bytes_total", "x", "dir", "down")).hasMessageContaining("[direction]");
        assertThatThrownBy(() -> m.counter("ccbt_bytes_total", "x")).hasMessageContaining("[direction]");
        assertThatThrownBy(() -> m.counter("ccbt_y_total", "x", "direction")).hasMessageContaining("pairs");
        assertThatThrownBy(() -> m.counter("ccbt_y_total", "x", "quantile", "1")).hasMessageContaining("quantile");
        assertThatThrownBy(() -> m.gauge("ccbt_torrent_peers", "x", () -> 1, "torrent", "ab\"c"))
                .hasMessageContaining("already");

        assertThat(m.remove("ccbt_torrent_peers", "torrent", "ab\"c")).isTrue();
        assertThat(m.remove("ccbt_torrent_peers", "torrent", "ab\"c")).isFalse();
        assertThat(m.remove("ccbt_bytes_total", "direction", "up")).isTrue();
        text = m.scrape();
        assertWellFormed(text);
        assertThat(text).doesNotContain("ccbt_torrent_peers").doesNotContain("direction=\"up\"");
        assertThat(m.counters()).containsExactly(down);
    }

    @Test
    void failingGaugeScrapesAsNaN() {
        Metrics m = new Metrics();
        m.gauge("ccbt_broken", "throws", () -> {
            throw new IllegalStateException("boom");
        });
        assertThat(m.scrape()).contains("ccbt_broken NaN\n");
    }

    @Test
    @Timeout(60)
    void countersAreExactUnderContention() throws Exception {
        Metrics m = new Metrics();
        Counter c = m.counter("ccbt_events_total", "events");
        int threads = 4;
        int perThread = 200_000;
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    if ((i & 1) == 0) {
                        c.inc();
                    } else {
                        c.add(2);
                    }
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertThat(c.get()).isEqualTo((long) threads * perThread / 2 * 3);
    }

    static Metrics sampleMetrics() {
        Metrics m = new Metrics();
        m.counter("ccbt_peer_bytes_total", "Bytes received from peers.").add(1234);
        m.gauge("ccbt_ring_fill", "Fill of the inbound ring (0..1).", () -> 0.25);
        AtomicLong open = new AtomicLong(7);
        m.gauge("ccbt_open_files", "Open files.", open::get);
        m.counter("ccbt_weird_total", "back\\slash and\nnewline");
        StageLatency verify = m.stage("hash_verify");
        for (int i = 1; i <= 1000; i++) {
            verify.record(i * 10L, i * 1000L);
        }
        m.stage("disk_write");
        m.stage("we\"ird\\").record(5, 5);
        return m;
    }

    /** Checks line syntax, that each family's HELP and TYPE come once and before its samples. */
    static void assertWellFormed(String text) {
        assertThat(text).endsWith("\n");
        Set<String> typed = new HashSet<>();
        Set<String> helped = new HashSet<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                String name = line.split(" ")[2];
                assertThat(helped.add(name)).as("HELP once for %s", name).isTrue();
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                assertThat(parts).hasSize(4);
                assertThat(parts[3]).isIn("counter", "gauge", "summary", "histogram", "untyped");
                assertThat(typed.add(parts[2])).as("TYPE once for %s", parts[2]).isTrue();
            } else {
                Matcher mt = SAMPLE.matcher(line);
                assertThat(mt.matches()).as("sample line: %s", line).isTrue();
                String name = mt.group(1);
                String family = name.replaceFirst("_(sum|count)$", "");
                assertThat(typed.contains(name) || typed.contains(family))
                        .as("TYPE before sample %s", line).isTrue();
            }
        }
    }
}
