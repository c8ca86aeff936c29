package ccbt.bench.jmh;

import ccbt.store.dedup.ChunkIndex;
import ccbt.store.dedup.ChunkLocation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The persistent dedup index (Chronicle Map, memory-mapped in a temporary directory on tmpfs, /dev/shm,
 * where there is one, so that disk write-back does not blur the figures): inserts of new
 * chunk hashes into a fresh index, and lookups of present and absent hashes in an index holding
 * {@value #ENTRIES} chunks. Scores are operations per second on one thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ChunkIndexBench {
    static final int ENTRIES = 1_000_000;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Writes a well-spread 32-byte pseudo hash of {@code n} into {@code key} (no allocation). */
    static void key(final long n, final byte[] key) {
        long x = n;
        for (int i = 0; i < 4; i++) {
            x += 0x9E3779B97F4A7C15L; // splitmix64 steps: distinct n give distinct, uniformly spread keys
            long z = x;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            LONG_LE.set(key, i * 8, z ^ (z >>> 31));
        }
    }

    /** A fresh directory for an index file: under /dev/shm (tmpfs) if writable, else the default temp dir. */
    static Path indexDirectory() throws IOException {
        final Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return Files.createTempDirectory(shm, "ccbt-jmh-index");
        }
        return Files.createTempDirectory("ccbt-jmh-index");
    }

    static void deleteTree(final Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final IOException e) {
            throw new IllegalStateException("cannot remove benchmark directory " + dir, e);
        }
    }

    /** A fresh, empty index per iteration, sized so that an iteration never fills it. */
    @State(Scope.Thread)
    public static class Empty {
        static final int CAPACITY = 6 * ENTRIES; // over 1M inserts per second were seen on a quiet machine
        final byte[] key = new byte[ChunkIndex.HASH_LENGTH];
        Path dir;
        ChunkIndex index;
        long next;

        @Setup(Level.Iteration)
        public void open() throws IOException {
            dir = indexDirectory();
            index = ChunkIndex.open(dir.resolve("chunks.idx"), CAPACITY);
            next = 0;
        }

        @TearDown(Level.Iteration)
        public void close() {
            index.close();
            deleteTree(dir);
        }
    }

    /** An index holding {@value #ENTRIES} chunks, filled once per trial. */
    @State(Scope.Thread)
    public static class Filled {
        final byte[] key = new byte[ChunkIndex.HASH_LENGTH];
        final SplittableRandom random = new SplittableRandom(41);
        Path dir;
        ChunkIndex index;

        @Setup(Level.Trial)
        public void fill() throws IOException {
            dir = indexDirectory();
            index = ChunkIndex.open(dir.resolve("chunks.idx"), ENTRIES + ENTRIES / 10);
            for (int i = 0; i < ENTRIES; i++) {
                key(i, key);
                index.addOrReference(key, 1, (long) i << 16, 65536, 1_780_000_000_000L);
            }
            if (index.size() != ENTRIES) {
                throw new IllegalStateException("index holds " + index.size() + " entries after " + ENTRIES + " inserts");
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            index.close();
            deleteTree(dir);
        }
    }

    /** Indexes one new chunk. */
    @Benchmark
    public ChunkLocation insert(final Empty s) {
        if (s.next >= Empty.CAPACITY) {
            throw new IllegalStateException("iteration inserted " + s.next + " chunks, more than the index is sized for");
        }
        key(s.next++, s.key);
        return s.index.addOrReference(s.key, 1, s.next << 16, 65536, 1_780_000_000_000L);
    }

    /** Looks up a chunk that is indexed. */
    @Benchmark
    public ChunkLocation lookupHit(final Filled s) {
        key(s.random.nextInt(ENTRIES), s.key);
        final ChunkLocation found = s.index.get(s.key);
        if (found == null) {
            throw new IllegalStateException("indexed chunk not found");
        }
        return found;
    }

    /** Looks up a chunk that is not indexed (the common case when a new torrent's chunks arrive). */
    @Benchmark
    public ChunkLocation lookupMiss(final Filled s) {
        key(ENTRIES + (long) s.random.nextInt(ENTRIES), s.key);
        return s.index.get(s.key);
    }
}
