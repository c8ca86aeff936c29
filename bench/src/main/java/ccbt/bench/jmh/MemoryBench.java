package ccbt.bench.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The machine's single-thread memory bandwidth, as a yardstick beside the codec and hashing figures:
 * copying 64 MiB between two direct buffers (far beyond the caches). MB/s counts the bytes copied; the
 * memory traffic is twice that (one read, one write).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MemoryBench {
    static final int SIZE = 64 << 20;

    private ByteBuffer src;
    private ByteBuffer dst;

    @Setup
    public void setup() {
        src = ByteBuffer.allocateDirect(SIZE).put(BenchData.randomBytes(SIZE, 53)).flip();
        dst = ByteBuffer.allocateDirect(SIZE);
    }

    @Benchmark
    public byte copy(final ByteCounter counter) {
        src.clear();
        dst.clear();
        dst.put(src);
        counter.bytes += SIZE;
        return dst.get(SIZE - 1);
    }
}
