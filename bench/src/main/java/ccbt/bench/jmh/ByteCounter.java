package ccbt.bench.jmh;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Bytes a benchmark processed, reported by JMH as a secondary rate result named {@value #RESULT} (bytes per
 * second), beside the primary ops/s. {@link RunJmh} turns it into the MB/s column; keeping the count in
 * the benchmark itself means no table elsewhere has to know each benchmark's bytes per operation.
 *
 * <p>It also measures the benchmark thread's CPU time over the measured iterations and, at the end of the
 * trial, appends the bytes per CPU-second to the diagnostics file ({@link HashVerifyBench#DIAGNOSTICS}): on a
 * shared machine the wall-clock rate is the share of a core the thread got, the CPU rate what the code does.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ByteCounter {
    /** Name of the secondary result JMH derives from the field below. */
    static final String RESULT = "bytes";
    /** How a CPU-rate diagnostics line reads; {@link JmhReport} parses it back. */
    static final String CPU_RATE_FORMAT = "%s [%s]: %.0f MB per CPU-second of the benchmark thread (measured: %d MB in %.2f s CPU, %.2f s wall)";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Bytes processed in the current iteration; JMH divides by the iteration time. */
    public long bytes;

    private boolean measuring;
    private long cpuAtStart;
    private long wallAtStart;
    private long measuredBytes;
    private long measuredCpu;
    private long measuredWall;

    /** JMH keeps aux counters across iterations unless they are cleared here. */
    @Setup(Level.Iteration)
    public void clear(final IterationParams iteration) {
        bytes = 0;
        measuring = iteration.getType() == IterationType.MEASUREMENT;
        cpuAtStart = THREADS.getCurrentThreadCpuTime();
        wallAtStart = System.nanoTime();
    }

    @TearDown(Level.Iteration)
    public void account() {
        if (measuring) {
            measuredCpu += THREADS.getCurrentThreadCpuTime() - cpuAtStart;
            measuredWall += System.nanoTime() - wallAtStart;
            measuredBytes += bytes;
        }
    }

    /**
     * Appends this trial's bytes per CPU-second to the diagnostics file. Not for the piece ring, whose bytes
     * are hashed on the ring's own threads (it reports their CPU itself).
     */
    @TearDown(Level.Trial)
    public void report(final BenchmarkParams params) {
        final String file = System.getProperty(HashVerifyBench.DIAGNOSTICS);
        final String name = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.',
            params.getBenchmark().lastIndexOf('.') - 1) + 1);
        if (file == null || measuredBytes == 0 || measuredCpu <= 0 || name.equals("HashVerifyBench.ring")) {
            return;
        }
        final StringBuilder p = new StringBuilder();
        for (final String k : params.getParamsKeys()) {
            p.append(p.isEmpty() ? "" : ", ").append(k).append('=').append(params.getParam(k));
        }
        final String line = String.format(Locale.ROOT, CPU_RATE_FORMAT, name, p, measuredBytes / (measuredCpu / 1e3),
            measuredBytes / 1_000_000, measuredCpu / 1e9, measuredWall / 1e9);
        try {
            Files.writeString(Path.of(file), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }
}
