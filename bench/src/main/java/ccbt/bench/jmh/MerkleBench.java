package ccbt.bench.jmh;

import ccbt.xet.hash.ChunkHashList;
import ccbt.xet.hash.XetHash;
import ccbt.xet.hash.XetMerkle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The Xet file hash (merkle aggregation with variable branching, then the keyed "hmac") of 1 000 chunk
 * hashes, about a 64 MB file's worth. Score: file hashes per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MerkleBench {
    static final int CHUNKS = 1000;

    private ChunkHashList chunks;

    @Setup
    public void setup() {
        final byte[] hashes = BenchData.randomBytes(CHUNKS * XetHash.LENGTH, 31);
        final SplittableRandom random = new SplittableRandom(37);
        chunks = new ChunkHashList(CHUNKS);
        for (int i = 0; i < CHUNKS; i++) {
            chunks.add(hashes, i * XetHash.LENGTH, 8 * 1024 + random.nextInt(120 * 1024));
        }
    }

    @Benchmark
    public XetHash fileHash() {
        return XetMerkle.fileHash(chunks);
    }
}
