package ccbt.xet;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.xet.chunk.GearHashChunker;
import ccbt.xet.hash.Blake3;
import ccbt.xet.hash.Blake3Access;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rough single-thread throughput log (not a benchmark: no JMH, shared machine) of the chunker, ccbt's
 * BLAKE3, BouncyCastle's BLAKE3 and the whole chunk-and-hash path. Asserts only that the work was done.
 */
class XetThroughputTest {
    private static final int BUFFER = 16 << 20;
    private static final int PASSES = 6;

    private interface Work {
        long run(byte[] data);
    }

    /** MB/s over this thread's CPU time (less distorted by other load on the machine than wall time). */
    private static double megabytesPerSecond(String name, byte[] data, Work work) {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int i = 0; i < 3; i++) {
            sink += work.run(data); // warm-up
        }
        final long wallStart = System.nanoTime();
        final long cpuStart = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < PASSES; i++) {
            sink += work.run(data);
        }
        final double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        final double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
        final double rate = (double) data.length * PASSES / cpuSeconds / 1e6;
        System.out.printf("xet throughput: %-34s %6.0f MB/s per CPU-second (%d MiB: %.2f s CPU, %.2f s wall;"
                + " check %d)%n", name, rate, (long) data.length * PASSES >> 20, cpuSeconds, wallSeconds, sink & 0xFF);
        return rate;
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void logsSingleThreadThroughput() {
        final byte[] data = new byte[BUFFER];
        new Random(42).nextBytes(data);
        final GearHashChunker chunker = new GearHashChunker();
        final double chunking = megabytesPerSecond("gearhash chunker", data, d -> {
            long chunks = 0;
            int pos = 0;
            while (true) {
                final int b = chunker.nextBoundary(d, pos, d.length);
                if (b < 0) {
                    break;
                }
                chunks++;
                pos = b;
            }
            chunker.reset();
            return chunks;
        });
        final byte[] out = new byte[32];
        final Blake3 scalar = Blake3Access.scalar();
        final double ours = megabytesPerSecond("ccbt Blake3 scalar (64 KiB calls)", data, d -> {
            for (int pos = 0; pos < d.length; pos += 65536) {
                scalar.update(d, pos, 65536);
            }
            scalar.finish(out, 0);
            return out[0];
        });
        final Blake3 blake3 = Blake3.newHasher();
        final double vector = megabytesPerSecond("ccbt Blake3 " + (Blake3.vectorized() ? "vector" : "scalar")
                + " (64 KiB calls)", data, d -> {
            for (int pos = 0; pos < d.length; pos += 65536) {
                blake3.update(d, pos, 65536);
            }
            blake3.finish(out, 0);
            return out[0];
        });
        final Blake3Digest bc = new Blake3Digest(256);
        final double bouncy = megabytesPerSecond("BouncyCastle Blake3Digest", data, d -> {
            for (int pos = 0; pos < d.length; pos += 65536) {
                bc.update(d, pos, 65536);
            }
            bc.doFinal(out, 0);
            return out[0];
        });
        final double all = megabytesPerSecond("chunk + hash (XetChunkHasher)", data, d -> {
            final XetChunkHasher hasher = new XetChunkHasher(null);
            for (int pos = 0; pos < d.length; pos += 1 << 20) {
                hasher.update(d, pos, 1 << 20);
            }
            hasher.finish();
            return hasher.chunks().size();
        });
        assertThat(chunking).isPositive();
        assertThat(ours).isPositive();
        assertThat(vector).isPositive();
        assertThat(bouncy).isPositive();
        assertThat(all).isPositive();
    }
}
