package ccbt.bench.jmh;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Bytes a benchmark processed, reported by JMH as a secondary rate result named {@value #RESULT} (bytes per
 * second), beside the primary ops/s. {@link RunJmh} turns it into the MB/s column; keeping the count in
 * the benchmark itself means no table elsewhere has to know each benchmark's bytes per operation.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ByteCounter {
    /** Name of the secondary result JMH derives from the field below. */
    static final String RESULT = "bytes";

    /** Bytes processed in the current iteration; JMH divides by the iteration time. */
    public long bytes;

    /** JMH keeps aux counters across iterations unless they are cleared here. */
    @Setup(Level.Iteration)
    public void clear() {
        bytes = 0;
    }
}
