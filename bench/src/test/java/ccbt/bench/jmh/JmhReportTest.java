package ccbt.bench.jmh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JmhReportTest {
    private static final JmhReport.Machine BUSY = new JmhReport.Machine(2, "AMD EPYC", "sha_ni", "JDK 25",
        "12.20, 13.53, 15.04", 12.2, "12.00, 13.00, 15.00", "2026-11-26T01:00:00Z", "quick", "");

    private static JmhReport.Row row(final String name, final String params, final double mbps, final int shards) {
        return new JmhReport.Row(name, params, 100, Double.NaN, 90, 110, "ops/s",
            Double.isNaN(mbps) ? Double.NaN : mbps * 1e6, shards);
    }

    @Test
    void comparesHashingRowsWithTheSha1LimitTimesTheirShards() {
        final List<JmhReport.Row> rows = List.of(
            row("HashVerifyBench.sha1", "", 2000, 1),
            row("HashVerifyBench.ring", "shards=2", 3000, 2),
            row("Blake3Bench.bouncyCastle", "", 1000, 1),
            row("BencodeBench.decodeTorrent", "", 500, 1),
            row("MerkleBench.fileHash", "", Double.NaN, 1));

        assertThat(JmhReport.sha1Ratio(rows.get(1), rows)).isEqualTo(0.75);
        assertThat(JmhReport.sha1Ratio(rows.get(2), rows)).isEqualTo(0.5);
        assertThat(JmhReport.sha1Ratio(rows.get(3), rows)).as("not hashing").isNaN();
        assertThat(JmhReport.sha1Ratio(rows.get(4), rows)).as("no bytes").isNaN();

        final String section = JmhReport.section(rows, BUSY, "",
            List.of("ring, shards=1, CPU per 1 MiB piece over 10 pieces: verify 700 µs;"));
        assertThat(section).startsWith(JmhReport.BEGIN).endsWith(JmhReport.END + "\n")
            .contains("| HashVerifyBench.ring | shards=2 | 100 | (90.00–110) | ops/s | 3,000 | 0.75× |")
            .contains("| BencodeBench.decodeTorrent |  | 100 | (90.00–110) | ops/s | 500 |  |")
            .contains("This machine is shared: the load average was 12.20, 13.53, 15.04 on 2 cores")
            .contains("java -cp bench/target/ccbt-bench.jar ccbt.bench.jmh.RunJmh")
            .contains("- ring, shards=1, CPU per 1 MiB piece over 10 pieces: verify 700 µs;\n");
    }

    @Test
    void noLoadWarningOnAnIdleMachine() {
        final JmhReport.Machine idle = new JmhReport.Machine(2, "cpu", "", "JDK 25", "0.10, 0.20, 0.30", 0.1,
            "0.10, 0.20, 0.30", "2026-11-26T01:00:00Z", "quick", "");
        assertThat(JmhReport.section(List.of(), idle, "", List.of())).doesNotContain("machine is shared");
    }

    @Test
    void splicesTheSectionBetweenItsMarkersAndKeepsTheRest() {
        final String created = JmhReport.splice(null, JmhReport.BEGIN + "\nfirst\n" + JmhReport.END + "\n");
        assertThat(created).startsWith("# ccbt benchmarks").contains(JmhReport.SWARM_BEGIN, JmhReport.SWARM_END);

        final String withSwarm = created.replace(JmhReport.SWARM_BEGIN + "\n", JmhReport.SWARM_BEGIN + "\nswarm figures\n");
        final String rewritten = JmhReport.splice(withSwarm, JmhReport.BEGIN + "\nsecond\n" + JmhReport.END + "\n");
        assertThat(rewritten).contains("second", "swarm figures").doesNotContain("first");
        assertThat(rewritten.indexOf(JmhReport.BEGIN)).isEqualTo(rewritten.lastIndexOf(JmhReport.BEGIN));

        assertThat(JmhReport.splice("# other\n", "S\n")).isEqualTo("# other\n\nS\n");
        assertThatThrownBy(() -> JmhReport.splice("x " + JmhReport.END + "\n", "S\n"))
            .hasMessageContaining("unmatched " + JmhReport.END);
    }

    @Test
    void putsTheXetFiguresBesideMemoryCopyAndSha1() {
        final List<JmhReport.Row> rows = List.of(
            row("MemoryBench.copy", "", 8000, 1),
            row("HashVerifyBench.sha1", "", 2000, 1),
            row("Blake3Bench.ccbtVector", "size=65536", 1000, 1),
            row("ChunkIndexBench.insert", "", Double.NaN, 1));
        final String cpuNote = String.format(java.util.Locale.ROOT, ByteCounter.CPU_RATE_FORMAT,
            "Blake3Bench.ccbtVector", "size=65536", 2001.4, 4000L, 2.0, 5.0);
        final String section = JmhReport.section(rows, BUSY, "", List.of(cpuNote));
        assertThat(section)
            .contains("| memory copy, 64 MiB direct buffers (the physical limit) | 8,000 MB/s |  | 1.00× | 4.00× |")
            .contains("| BLAKE3 keyed, vector path, 64 KiB | 1,000 MB/s | 2,001 MB/s | 0.13× | 0.50× |")
            .contains("| dedup index inserts (ops/s) | 100 ops/s |  |  |  |")
            .contains("- " + cpuNote + "\n")
            .doesNotContain("BLAKE3 keyed, scalar path");
        assertThat(JmhReport.section(List.of(row("BencodeBench.decodeTorrent", "", 500, 1)), BUSY, "", List.of()))
            .as("no Xet rows, no summary").doesNotContain("beside the machine's limits");
    }

    @Test
    void readsTheJvmFlagsOfTheParentPom() throws Exception {
        final List<String> flags = RunJmh.jvmFlags(RunJmh.findRoot());
        assertThat(flags).contains("-Dchronicle.analytics.disable=true", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-modules=jdk.incubator.vector");
    }

    /** One real benchmark, in-process and short: its score and byte rate reach the report rows. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void runsABenchmarkAndReportsItsByteRate() throws Exception {
        // JMH's /tmp/jmh.lock keeps two measuring runs apart; this one measures nothing, so a `bin/ccbt bench jmh`
        // running beside the tests must not fail it.
        System.setProperty("jmh.ignoreLock", "true");
        final Collection<RunResult> results = new Runner(new OptionsBuilder()
            .include("ccbt\\.bench\\.jmh\\.Blake3Bench\\.bouncyCastle$")
            .param("size", "65536")
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(300))
            .build()).run();
        final List<JmhReport.Row> rows = RunJmh.rows(results);
        assertThat(rows).hasSize(1);
        final JmhReport.Row r = rows.getFirst();
        assertThat(r.benchmark()).isEqualTo("Blake3Bench.bouncyCastle");
        assertThat(r.score()).isPositive();
        assertThat(r.unit()).isEqualTo("ops/s");
        // every op hashes one 64 KiB chunk, so the byte rate is the op rate times 65 536
        assertThat(r.params()).isEqualTo("size=65536");
        assertThat(r.bytesPerSecond() / r.score()).isCloseTo(65536.0, org.assertj.core.data.Offset.offset(1.0));
    }
}
