package ccbt.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class StageLatencyTest {
    @Test
    void percentilesOfUniformValues() {
        StageLatency s = new Metrics().stage("hash_verify");
        for (int i = 1; i <= 10_000; i++) {
            s.record(i, i * 1000L);
        }
        StageLatency.Distribution sv = s.snapshot().service();
        assertThat(sv.count()).isEqualTo(10_000);
        // Two significant digits: within 1 % of the exact rank value.
        assertThat(StageLatency.SIGNIFICANT_DIGITS).isEqualTo(2);
        assertThat((double) sv.p50()).isCloseTo(5_000_000, within(50_000.0));
        assertThat((double) sv.p99()).isCloseTo(9_900_000, within(99_000.0));
        assertThat((double) sv.p999()).isCloseTo(9_990_000, within(99_900.0));
        assertThat((double) sv.max()).isCloseTo(10_000_000, within(100_000.0));
        assertThat(sv.sumNanos()).isEqualTo(1000L * 10_000 * 10_001 / 2);
        StageLatency.Distribution qw = s.snapshot().queueWait();
        assertThat(qw.count()).isEqualTo(10_000);
        assertThat((double) qw.p50()).isCloseTo(5_000, within(50.0));
    }

    @Test
    void snapshotsAccumulate() {
        StageLatency s = new Metrics().stage("x");
        s.record(0, 100);
        assertThat(s.snapshot().service().count()).isEqualTo(1);
        s.record(0, 300);
        StageLatency.Distribution d = s.snapshot().service();
        assertThat(d.count()).isEqualTo(2);
        assertThat(d.max()).isBetween(300L, 301L);
        assertThat(s.snapshot().service().count()).isEqualTo(2);
    }

    @Test
    void windowedQuantilesForgetOldEventsButCountsDoNot() {
        Metrics m = new Metrics(java.time.Duration.ofSeconds(60));
        StageLatency s = m.stage("x");
        long t0 = System.nanoTime();
        long sec = 1_000_000_000L;
        for (int i = 0; i < 100; i++) {
            s.record(0, 1_000_000); // 1 ms
        }
        StageLatency.Distribution d = s.snapshot(t0 + 10 * sec).service();
        assertThat(d.windowCount()).isEqualTo(100);
        assertThat(d.p99()).isBetween(1_000_000L, 1_010_000L);
        // One window later the 1 ms events are in the previous window: still counted.
        for (int i = 0; i < 100; i++) {
            s.record(0, 1000); // 1 µs
        }
        d = s.snapshot(t0 + 70 * sec).service();
        assertThat(d.windowCount()).isEqualTo(200);
        assertThat(d.max()).isBetween(1_000_000L, 1_010_000L);
        // Another window later they are gone from the quantiles, but not from count and sum.
        s.record(0, 1000);
        d = s.snapshot(t0 + 131 * sec).service();
        assertThat(d.windowCount()).isEqualTo(101);
        assertThat(d.max()).isBetween(1000L, 1010L);
        assertThat(d.count()).isEqualTo(201);
        assertThat(d.sumNanos()).isEqualTo(100 * 1_000_000L + 101 * 1000L);
        // Long silence: both windows are stale, quantiles undefined (NaN in the scrape), counts kept.
        d = s.snapshot(t0 + 1000 * sec).service();
        assertThat(d.windowCount()).isZero();
        assertThat(d.count()).isEqualTo(201);
        assertThatThrownBy(() -> new Metrics(java.time.Duration.ZERO)).hasMessageContaining("PT0S");
    }

    /** Handlers call record() and counters per event: neither may allocate. */
    @Test
    void recordingAndCountingDoNotAllocate() {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Metrics m = new Metrics();
        StageLatency s = m.stage("x");
        Counter c = m.counter("ccbt_x_total", "x");
        long tid = Thread.currentThread().threadId();
        for (int round = 0; round < 2; round++) { // the first round warms up
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 50_000; i++) {
                s.record(i, 1000L * i);
                c.inc();
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            if (round == 1) {
                assertThat(allocated).isLessThan(4_096);
            }
        }
        assertThat(s.snapshot().service().count()).isEqualTo(100_000);
    }

    @Test
    void outOfRangeValuesAreClampedNotLost() {
        StageLatency s = new Metrics().stage("x");
        s.record(-5, TimeUnit.HOURS.toNanos(5));
        StageLatency.Snapshot snap = s.snapshot();
        assertThat(snap.queueWait().max()).isZero();
        assertThat(snap.service().count()).isEqualTo(1);
        assertThat(snap.service().max()).isGreaterThanOrEqualTo(StageLatency.HIGHEST_TRACKABLE_NANOS);
    }

    @Test
    @Timeout(60)
    void concurrentWritersWhileSnapshotting() throws Exception {
        StageLatency s = new Metrics().stage("x");
        int threads = 3;
        int perThread = 100_000;
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    s.record(1000, 2000);
                }
            });
            ts[t].start();
        }
        long last = 0;
        for (int i = 0; i < 50; i++) {
            long c = s.snapshot().service().count();
            assertThat(c).isGreaterThanOrEqualTo(last);
            last = c;
        }
        for (Thread t : ts) {
            t.join();
        }
        StageLatency.Distribution d = s.snapshot().service();
        assertThat(d.count()).isEqualTo((long) threads * perThread);
        assertThat(d.sumNanos()).isEqualTo(2000L * threads * perThread);
        assertThat(d.p50()).isBetween(2000L, 2020L);
    }

    @Test
    void textReportListsStagesInMicros() {
        Metrics m = MetricsTest.sampleMetrics();
        String table = TextReport.stageTable(m);
        String[] lines = table.split("\n");
        assertThat(lines).hasSize(2 + 3);
        assertThat(lines[1]).contains("stage").contains("p99.9");
        assertThat(lines[2]).startsWith("hash_verify").contains("1000");
        // p50 of service is ~500 µs, of queue wait ~5 µs.
        assertThat(lines[2]).containsPattern("\\| +50[0-9]\\.[0-9] ").containsPattern("\\| +5\\.[0-9] ");
        assertThat(TextReport.stageTable(new Metrics())).isEqualTo("(no stages)\n");
    }
}
