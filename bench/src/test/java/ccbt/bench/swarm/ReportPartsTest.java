package ccbt.bench.swarm;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ReportPartsTest {
    @Test
    void replacesOnlyTheSwarmSectionOrAppendsIt() {
        final String doc = "# B\n\nkeep\n" + Report.BEGIN + "\nold\n" + Report.END + "\ntail\n";
        final String section = Report.BEGIN + "\nnew\n" + Report.END;
        assertThat(Report.replaceSection(doc, section)).isEqualTo("# B\n\nkeep\n" + section + "\ntail\n");
        assertThat(Report.replaceSection("# B\n", section)).isEqualTo("# B\n\n" + section + "\n");
    }

    @Test
    void eachClientHasItsOwnSectionAndTheOthersStay() {
        final String lt = Report.begin("libtorrent") + "\nlt\n" + Report.end("libtorrent");
        final String doc = "# B\n\n" + lt + "\n\n<!-- jmh:begin -->\njmh\n<!-- jmh:end -->\n";
        final String aria = Report.begin("aria2") + "\naria v1\n" + Report.end("aria2");
        final String withAria = Report.replaceSection(doc, aria, "aria2");
        // a new client's section goes right after the last swarm section, before what follows it
        assertThat(withAria).isEqualTo("# B\n\n" + lt + "\n\n" + aria + "\n\n<!-- jmh:begin -->\njmh\n<!-- jmh:end -->\n");
        final String tr = Report.begin("transmission") + "\ntr\n" + Report.end("transmission");
        final String withBoth = Report.replaceSection(withAria, tr, "transmission");
        assertThat(withBoth.indexOf("\ntr\n")).isGreaterThan(withBoth.indexOf("aria v1")).isLessThan(withBoth.indexOf("jmh"));
        // rewriting one client's section replaces it alone
        final String aria2 = Report.begin("aria2") + "\naria v2\n" + Report.end("aria2");
        final String rewritten = Report.replaceSection(withBoth, aria2, "aria2");
        assertThat(rewritten).contains("\nlt\n", "aria v2", "\ntr\n", "jmh").doesNotContain("aria v1");
        assertThat(rewritten.length()).isEqualTo(withBoth.length());
        assertThat(Report.replaceSection(rewritten, Report.begin("libtorrent") + "\nlt2\n" + Report.end("libtorrent"),
            "libtorrent")).contains("lt2", "aria v2", "\ntr\n").doesNotContain("\nlt\n");
        assertThat(Report.chart("libtorrent")).isEqualTo("bench-swarm.svg");
        assertThat(Report.chart("aria2")).isEqualTo("bench-swarm-aria2.svg");
    }

    @Test
    void statsAreMinMedianMaxOfFiniteValues() {
        assertThat(Stats.of(3, 1, 2)).isEqualTo(new Stats(1, 2, 3, 3));
        assertThat(Stats.of(4, 1, Double.NaN, 2, 3)).isEqualTo(new Stats(1, 2.5, 4, 4));
        assertThat(Stats.of().count()).isZero();
    }

    @Test
    void rateIsTheSlopeOfTheCumulativeSeries() {
        final List<double[]> series = List.of(new double[] {0, 0}, new double[] {0.25, 0}, new double[] {0.5, 1 << 20},
            new double[] {0.75, 2 << 20}, new double[] {1.0, 3 << 20});
        final List<double[]> rate = Report.rate(series);
        assertThat(rate.getLast()[0]).isEqualTo(1.0);
        assertThat(rate.getLast()[1]).isCloseTo(4.0, within(1e-9)); // 2 MiB in the last 0.5 s
    }

    /** A rate after the first byte over 0.4 s counts only if the client said when it began, not from a 250 ms tick. */
    @Test
    void aShortRateAfterTheFirstByteNeedsAPreciseStart() {
        final List<double[]> series = List.of(new double[] {0, 0}, new double[] {0.5, 1L << 30});
        final Trial ticked = new Trial("recheck", "subject", "ccbt", 1, 1, true, null, 0.5, 1L << 30, 1, 1, 0.1, false,
            series, List.of(), null, List.of());
        final Trial said = new Trial("recheck", "subject", "ccbt", 1, 1, true, null, 0.5, 1L << 30, 1, 1, 0.1, true,
            series, List.of(), null, List.of());
        assertThat(ticked.mibPerSecondAfterFirstByte()).isNaN();
        assertThat(said.mibPerSecondAfterFirstByte()).isCloseTo(1024 / 0.4, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(said.toMap()).containsEntry("first_byte_said", true);
    }

    @Test
    void aClientWithoutProgressIsDrawnAtItsAverage() {
        final Trial silent = new Trial("recheck", "subject", "ccbt", 1, 1, true, null, 4.0, 400L << 20, 1, 1, Double.NaN, false,
            List.of(new double[] {0, 0}, new double[] {2, 0}, new double[] {4, 400L << 20}), List.of(), null, List.of());
        assertThat(Report.rateOrAverage(silent)).extracting(p -> p[1]).containsExactly(100.0, 100.0);
    }

    @Test
    void jsonEscapesAndKeepsOrder() {
        final Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("b", "q\"\n");
        m.put("a", List.of(1, 2.5));
        m.put("n", Double.NaN);
        assertThat(Json.write(m)).isEqualTo("{\n  \"b\": \"q\\\"\\n\",\n  \"a\": [1, 2.5],\n  \"n\": null\n}\n");
    }

    @Test
    void parsesSizesAndRejectsBadOptionsNamingTheValue() {
        assertThat(SwarmOptions.parseSize("1GiB")).isEqualTo(1L << 30);
        assertThat(SwarmOptions.parseSize("512MiB")).isEqualTo(512L << 20);
        assertThat(SwarmOptions.parseSize("4096")).isEqualTo(4096);
        assertThatThrownBy(() -> SwarmOptions.parseSize("12 parsecs")).hasMessageContaining("12 parsecs");
        assertThatThrownBy(() -> SwarmOptions.parse(List.of("--piece-size", "100KiB"), Path.of(".")))
            .hasMessageContaining("100KiB");
        assertThatThrownBy(() -> SwarmOptions.parse(List.of("--against", "utorrent"), Path.of(".")))
            .hasMessageContaining("utorrent");
        final SwarmOptions quick = SwarmOptions.parse(List.of("--quick"), null);
        assertThat(quick.size()).isEqualTo(8L << 20);
        assertThat(quick.reps()).isEqualTo(1);
        assertThat(quick.scenarios()).containsExactly("download", "recheck");
    }

    @Test
    void procStatReadsCpuAndMemoryFields() {
        final String stat = "1234 (java (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 30 0";
        final String status = "Name:\tjava\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";
        final ProcStat p = ProcStat.parse(stat, status);
        assertThat(p.cpuSeconds()).isEqualTo(3.0);
        assertThat(p.hwmBytes()).isEqualTo(200L << 20);
        assertThat(p.rssBytes()).isEqualTo(100L << 20);
        assertThat(ProcStat.read(ProcessHandle.current().pid())).hasValueSatisfying(s ->
            assertThat(s.hwmBytes()).isPositive());
    }
}
