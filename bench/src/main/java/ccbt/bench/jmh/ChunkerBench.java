package ccbt.bench.jmh;

import ccbt.xet.XetChunkHasher;
import ccbt.xet.chunk.ChunkSink;
import ccbt.xet.chunk.GearHashChunker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Xet content-defined chunking on one core over 64 MiB of random bytes (one operation = the whole
 * buffer): the gearhash chunker alone, and chunking plus the keyed BLAKE3 chunk hash of every chunk,
 * which is the work the Xet-chunk stage will do per verified piece.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ChunkerBench {
    static final int INPUT = 64 << 20;

    private byte[] data;
    private GearHashChunker chunker;
    private CountingSink sink;

    @Setup
    public void setup() {
        data = BenchData.randomBytes(INPUT, 17);
        chunker = new GearHashChunker();
        sink = new CountingSink();
        chunk(new ByteCounter());
        final long mean = INPUT / Math.max(1, sink.chunks);
        // xet-core's parameters give a 64 KiB mean on random input; anything far off means a broken chunker
        if (mean < 32 * 1024 || mean > 128 * 1024) {
            throw new IllegalStateException("mean chunk of " + mean + " bytes over random input");
        }
    }

    /** Chunk boundaries only. */
    @Benchmark
    public long chunk(final ByteCounter counter) {
        sink.chunks = 0;
        chunker.update(data, 0, data.length, sink);
        chunker.finish(sink);
        counter.bytes += data.length;
        return sink.chunks;
    }

    /** Chunk boundaries and the keyed BLAKE3 hash of every chunk. */
    @Benchmark
    public int chunkAndHash(final ByteCounter counter) {
        final XetChunkHasher hasher = new XetChunkHasher(null);
        hasher.update(data, 0, data.length);
        hasher.finish();
        counter.bytes += data.length;
        return hasher.chunks().size();
    }

    static final class CountingSink implements ChunkSink {
        long chunks;

        @Override
        public void chunk(final long offset, final int length) {
            chunks++;
        }
    }
}
