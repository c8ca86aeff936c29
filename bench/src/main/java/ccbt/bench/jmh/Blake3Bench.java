package ccbt.bench.jmh;

import ccbt.xet.hash.Blake3;
import ccbt.xet.hash.KeyedBlake3;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.bouncycastle.crypto.params.Blake3Parameters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Keyed BLAKE3 (32-byte output, the Xet chunk hash) of one input of {@code size} bytes per operation: 64 KiB,
 * the mean Xet chunk, and 1 MiB, a large input. ccbt's Vector API path (the default where
 * {@code jdk.incubator.vector} is loaded), its scalar path (each in a fork with the choice forced, since it
 * is made once per JVM) and BouncyCastle's {@code Blake3Digest}. All three use the same key and must agree
 * on the hash.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class Blake3Bench {
    @Param({"65536", "1048576"})
    public int size;

    private final byte[] out = new byte[32];
    private byte[] chunk;
    private KeyedBlake3 ccbt;
    private Blake3Digest bouncyCastle;

    @Setup
    public void setup() {
        chunk = BenchData.randomBytes(size, 23);
        final byte[] key = BenchData.randomBytes(32, 29);
        ccbt = new KeyedBlake3(key);
        bouncyCastle = new Blake3Digest(256);
        bouncyCastle.init(Blake3Parameters.key(key));
        for (int round = 0; round < 2; round++) { // twice: both must reset to the keyed state after a hash
            ccbtHash();
            final byte[] mine = out.clone();
            bouncyCastleHash();
            if (!Arrays.equals(mine, out)) {
                throw new IllegalStateException("ccbt and BouncyCastle BLAKE3 disagree on the " + size + "-byte input");
            }
        }
    }

    private byte ccbtHash() {
        ccbt.update(chunk, 0, size);
        ccbt.finish(out, 0);
        return out[0];
    }

    private byte bouncyCastleHash() {
        bouncyCastle.update(chunk, 0, size);
        bouncyCastle.doFinal(out, 0);
        return out[0];
    }

    /** Fails the run rather than report a scalar figure under the vector name, or the reverse. */
    @State(Scope.Thread)
    public static class Vectorized {
        @Setup
        public void check() {
            if (!Blake3.vectorized()) {
                throw new IllegalStateException("BLAKE3 vector path unavailable: needs --add-modules jdk.incubator.vector");
            }
        }
    }

    @State(Scope.Thread)
    public static class Scalar {
        @Setup
        public void check() {
            if (Blake3.vectorized()) {
                throw new IllegalStateException("BLAKE3 vector path active in the scalar benchmark");
            }
        }
    }

    /** ccbt's BLAKE3, one chunk or parent node per vector lane (the default where the Vector API is loaded). */
    @Benchmark
    @Fork(jvmArgsAppend = "-Dccbt.blake3.vector=true")
    public byte ccbtVector(final Vectorized check, final ByteCounter counter) {
        counter.bytes += size;
        return ccbtHash();
    }

    /** ccbt's BLAKE3, one compression at a time (the fallback without the Vector API). */
    @Benchmark
    @Fork(jvmArgsAppend = "-Dccbt.blake3.vector=false")
    public byte ccbtScalar(final Scalar check, final ByteCounter counter) {
        counter.bytes += size;
        return ccbtHash();
    }

    /** BouncyCastle 1.87's Blake3Digest. */
    @Benchmark
    public byte bouncyCastle(final ByteCounter counter) {
        counter.bytes += size;
        return bouncyCastleHash();
    }
}
