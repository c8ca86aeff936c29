package ccbt.bench.jmh;

import ccbt.store.FileLayout;
import ccbt.store.PieceStore;
import ccbt.store.Preallocation;
import ccbt.store.StoredFile;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The disk-write stage's store: positional writes of 1 MiB pieces from a direct buffer over a 64 MiB
 * torrent of four files (so some pieces span two files), and 16 KiB block reads as a seeder serves them.
 * The files sit in a temporary directory and stay in the page cache: this is the store's own cost, not
 * the disk's (no fsync is measured).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PieceStoreBench {
    static final int PIECE = 1 << 20;
    static final int BLOCK = 16 * 1024;
    static final long TOTAL = 64L << 20;

    private final SplittableRandom random = new SplittableRandom(43);
    private Path dir;
    private PieceStore store;
    private ByteBuffer piece;
    private ByteBuffer block;
    private int pieces;
    private int next;

    @Setup
    public void setup() throws IOException {
        dir = Files.createTempDirectory("ccbt-jmh-store");
        // sizes that do not fall on piece boundaries, as in real torrents
        final long a = 13L * PIECE + 12345;
        final long b = 20L * PIECE + 777;
        final long c = 9L * PIECE + 4096;
        final FileLayout layout = new FileLayout(List.of(
            StoredFile.of("data/a.bin", a), StoredFile.of("data/b.bin", b), StoredFile.of("data/c.bin", c),
            StoredFile.of("data/d.bin", TOTAL - a - b - c)), PIECE);
        store = PieceStore.open(dir, layout, Preallocation.SPARSE);
        pieces = layout.pieceCount();
        piece = ByteBuffer.allocateDirect(PIECE).put(BenchData.randomBytes(PIECE, 47)).flip();
        block = ByteBuffer.allocateDirect(BLOCK);
        for (int i = 0; i < pieces; i++) {
            store.writePiece(i, piece);
        }
    }

    @TearDown
    public void tearDown() {
        store.close();
        ChunkIndexBench.deleteTree(dir);
    }

    /** Writes the next 1 MiB piece (round robin over the torrent). */
    @Benchmark
    public int writePiece(final ByteCounter counter) {
        final int p = next;
        next = p + 1 == pieces ? 0 : p + 1;
        store.writePiece(p, piece);
        counter.bytes += PIECE;
        return p;
    }

    /** Reads a random 16 KiB block. */
    @Benchmark
    public int readBlock(final ByteCounter counter) {
        block.clear();
        store.readBlock(random.nextInt(pieces), random.nextInt(PIECE / BLOCK) * BLOCK, block);
        counter.bytes += BLOCK;
        return block.position();
    }
}
