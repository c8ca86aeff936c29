package ccbt.bench.jmh;

import ccbt.pipeline.picker.RequestPipeline;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * One peer's request pipeline held at a steady depth, as during a transfer: each operation is a block delivered
 * (removed at the head, peers serve in order) and the next request sent in its place. The score is blocks per
 * second; at 16 KiB a block, 64 k operations are one GiB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RequestPipelineBench {
    /** Blocks per 1 MiB piece. */
    static final int BLOCKS = 64;

    @Param({"16", "500"})
    public int depth;

    private RequestPipeline pipeline;
    /** The oldest outstanding block and the next one to request, counted in blocks since the start. */
    private long oldest;
    private long next;
    private long now;

    @Setup
    public void setup() {
        pipeline = new RequestPipeline(depth, depth);
        for (next = 0; next < depth; next++) {
            if (!pipeline.add((int) (next / BLOCKS), (int) (next % BLOCKS), now)) {
                throw new IllegalStateException("request " + next + " refused at depth " + depth);
            }
        }
    }

    @Benchmark
    public boolean deliverAndRequest() {
        now += 1_000;
        final boolean delivered = pipeline.remove((int) (oldest / BLOCKS), (int) (oldest % BLOCKS), now);
        oldest++;
        final boolean sent = pipeline.add((int) (next / BLOCKS), (int) (next % BLOCKS), now);
        next++;
        if (!delivered || !sent) {
            throw new IllegalStateException("pipeline lost block " + (oldest - 1) + " or refused " + (next - 1));
        }
        return sent;
    }
}
