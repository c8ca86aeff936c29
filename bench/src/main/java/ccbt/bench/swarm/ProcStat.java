package ccbt.bench.swarm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One reading of a process's CPU time and memory from {@code /proc}: the figures {@code ps} and {@code top}
 * show, read directly so that the harness can sample every 250 ms without spawning anything.
 *
 * @param cpuSeconds user + system CPU of the process itself (all its threads)
 * @param rssBytes   resident set size now ({@code VmRSS})
 * @param hwmBytes   peak resident set size so far ({@code VmHWM})
 */
public record ProcStat(double cpuSeconds, long rssBytes, long hwmBytes) {
    /** Clock ticks per second of {@code /proc/<pid>/stat}; 100 on every Linux the JDK runs on. */
    static final double CLOCK_TICKS = 100.0;

    // Field numbers of proc(5), counted from 1; the text after the ')' that closes comm starts at field 3.
    private static final int FIRST_FIELD_AFTER_COMM = 3;
    static final int UTIME = 14;
    static final int STIME = 15;
    /** Children's user and system time (those the process has waited for): fields 16 and 17. */
    static final int CSTIME = 17;

    /** Reads the process's figures, or empty if it has exited (its {@code /proc} entry is gone). */
    public static Optional<ProcStat> read(final long pid) {
        try {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            final String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
            return Optional.of(parse(stat, status));
        } catch (final NoSuchFileException e) {
            return Optional.empty();
        } catch (final IOException e) {
            // ESRCH while reading: the process went away between open and read
            return Optional.empty();
        }
    }

    /** Parses the text of {@code /proc/<pid>/stat} and {@code /proc/<pid>/status}. */
    static ProcStat parse(final String stat, final String status) {
        final long ticks = ticks(stat, UTIME, STIME);
        return new ProcStat(ticks / CLOCK_TICKS, kib(status, "VmRSS:") * 1024, kib(status, "VmHWM:") * 1024);
    }

    /** The sum of fields {@code first} to {@code last} (proc(5) numbers, after comm) of a {@code /proc/<pid>/stat}. */
    static long ticks(final String stat, final int first, final int last) {
        final int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
        }
        final String[] fields = stat.substring(close + 2).trim().split(" ");
        long sum = 0;
        for (int field = first; field <= last; field++) {
            sum += Long.parseLong(fields[field - FIRST_FIELD_AFTER_COMM]);
        }
        return sum;
    }

    private static long kib(final String status, final String key) {
        for (final String line : status.split("\n")) {
            if (line.startsWith(key)) {
                final String value = line.substring(key.length()).trim();
                final int space = value.indexOf(' ');
                return Long.parseLong(space < 0 ? value : value.substring(0, space));
            }
        }
        return 0; // kernel threads and zombies have no Vm* lines
    }
}
