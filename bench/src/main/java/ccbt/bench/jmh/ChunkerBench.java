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

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Xet content-defined chunking on one core over 64 MiB of random bytes (one operation = all of it): the
 * gearhash chunker alone, over one heap array and over 1 MiB direct-buffer pieces, and chunking plus the
 * keyed BLAKE3 chunk hash of every chunk, over the array and over the pieces. The pieces are how the
 * Xet-chunk stage sees a torrent: verified pieces in off-heap staging slots, fed to one
 * {@link XetChunkHasher} per file stream.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ChunkerBench {
    static final int INPUT = 64 << 20;
    static final int PIECE = 1 << 20;

    private byte[] data;
    private GearHashChunker chunker;
    private CountingSink sink;
    private ByteBuffer[] pieces;

    @Setup
    public void setup() {
        data = BenchData.randomBytes(INPUT, 17);
        chunker = new GearHashChunker();
        sink = new CountingSink();
        pieces = new ByteBuffer[INPUT / PIECE];
        for (int i = 0; i < pieces.length; i++) {
            pieces[i] = ByteBuffer.allocateDirect(PIECE).put(data, i * PIECE, PIECE).flip();
        }
        final long inArray = chunk(new ByteCounter());
        final long inPieces = chunkPieces(new ByteCounter());
        if (inArray != inPieces || chunkAndHash(new ByteCounter()) != chunkAndHashPieces(new ByteCounter())) {
            throw new IllegalStateException("the array and the pieces give different chunks: " + inArray + " vs " + inPieces);
        }
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

    /** Chunk boundaries only, over 1 MiB direct-buffer pieces of the same bytes. */
    @Benchmark
    public long chunkPieces(final ByteCounter counter) {
        sink.chunks = 0;
        for (final ByteBuffer piece : pieces) {
            piece.clear();
            chunker.update(piece, sink);
        }
        chunker.finish(sink);
        counter.bytes += INPUT;
        return sink.chunks;
    }

    /** The Xet-chunk stage: 1 MiB direct-buffer pieces through one XetChunkHasher (chunk, hash each chunk). */
    @Benchmark
    public int chunkAndHashPieces(final ByteCounter counter) {
        final XetChunkHasher hasher = new XetChunkHasher(null);
        for (final ByteBuffer piece : pieces) {
            piece.clear();
            hasher.update(piece);
        }
        hasher.finish();
        counter.bytes += INPUT;
        return hasher.chunks().size();
    }

    /** Chunk boundaries and the keyed BLAKE3 hash of every chunk, over one array. */
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
