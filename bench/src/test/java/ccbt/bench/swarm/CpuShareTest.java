package ccbt.bench.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Other programs' share of the CPUs between two readings of {@code /proc}. */
class CpuShareTest {
    private static final String SELF = "4242 (java (bench)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 %d %d %d %d 20 0 30 0";

    private static CpuShare reading(final long user, final long system, final long irq, final long own, final double at) {
        final String stat = "cpu  " + user + " 0 " + system + " 90000 10 " + irq + " " + irq + " 5 0 0\n"
            + "cpu0 1 2 3 4 5 6 7 8 0 0\nintr 1\n";
        return CpuShare.parse(stat, String.format(SELF, own / 2, own - own / 2, 0, 0), (long) (at * 1e9));
    }

    @Test
    void othersAreTheMachinesBusyTimeLessTheHarnessAndItsChildren() {
        final CpuShare start = reading(1000, 500, 0, 200, 0);
        // 10 s on 2 cores: the machine got 900 + 300 ticks busier, the harness 800 of them: 4 s of 20 are others'
        final CpuShare end = reading(1900, 800, 0, 1000, 10);
        assertThat(end.othersSince(start, 2)).hasValueCloseTo(0.2, within(1e-9));
    }

    @Test
    void interruptTimeIsNotCountedAndTheShareStaysBetweenZeroAndOne() {
        final CpuShare start = reading(1000, 500, 100, 200, 0);
        assertThat(reading(1400, 600, 5000, 700, 10).othersSince(start, 2)).hasValue(0.0);
        assertThat(reading(9000, 9000, 100, 200, 1).othersSince(start, 2)).hasValue(1.0);
        assertThat(reading(1000, 500, 100, 200, 0).othersSince(start, 2)).isEmpty();
    }

    @Test
    void childrenReapedByTheHarnessCountAsItsOwn() {
        final String stat = "cpu  100 0 100 0 0 0 0 0 0 0\n";
        final CpuShare s = CpuShare.parse(stat, "1 (a) R 0 1 1 0 -1 0 0 0 0 0 3 4 5 6 20 0 1 0", 0);
        assertThat(s.ownTicks()).isEqualTo(18);
        assertThat(s.machineTicks()).isEqualTo(200);
    }

    @Test
    void readsThisMachine() {
        final CpuShare now = CpuShare.now();
        assertThat(now).isNotNull();
        assertThat(now.machineTicks()).isPositive();
    }
}
