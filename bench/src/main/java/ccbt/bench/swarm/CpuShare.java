package ccbt.bench.swarm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * A reading of the machine's busy CPU time and of the harness's own (its JVM and every child it has reaped), so that
 * two readings tell how much of the machine other programs used in between. The load average cannot tell that: at
 * the end of a run it counts the run's own processes (eight leechers in the fan-out alone).
 *
 * @param machineTicks user, nice and system time of all CPUs ({@code /proc/stat}); interrupt time is left out, as
 *                     the kernel does not charge it to any process, so it would count the run's own traffic as other
 * @param ownTicks     user and system time of this JVM and of its waited-for children ({@code /proc/self/stat})
 * @param nanos        {@link System#nanoTime()} at the reading
 */
record CpuShare(long machineTicks, long ownTicks, long nanos) {
    /** Reads both, or null where {@code /proc} is not there to read. */
    static CpuShare now() {
        try {
            return parse(Files.readString(Path.of("/proc/stat")), Files.readString(Path.of("/proc/self/stat")),
                System.nanoTime());
        } catch (final IOException | RuntimeException e) {
            return null;
        }
    }

    static CpuShare parse(final String procStat, final String selfStat, final long nanos) {
        final String cpu = procStat.lines().filter(l -> l.startsWith("cpu ")).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no cpu line in /proc/stat"));
        final String[] c = cpu.trim().split("\\s+");
        final long machine = Long.parseLong(c[1]) + Long.parseLong(c[2]) + Long.parseLong(c[3]);
        return new CpuShare(machine, ProcStat.ticks(selfStat, ProcStat.UTIME, ProcStat.CSTIME), nanos);
    }

    /**
     * The share of all {@code cores}' time since {@code start} that went to programs other than the harness and its
     * children (0 to 1), or empty when either reading is missing or no time passed.
     */
    OptionalDouble othersSince(final CpuShare start, final int cores) {
        final double seconds = (nanos - start.nanos) / 1e9;
        if (seconds <= 0 || cores < 1) {
            return OptionalDouble.empty();
        }
        final double others = ((machineTicks - start.machineTicks) - (ownTicks - start.ownTicks)) / ProcStat.CLOCK_TICKS;
        return OptionalDouble.of(Math.max(0, Math.min(1, others / (seconds * cores))));
    }
}
