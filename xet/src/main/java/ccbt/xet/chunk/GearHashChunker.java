package ccbt.xet.chunk;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * xet-core's content-defined chunker: a gear rolling hash with chunk boundaries where the hash's top
 * bits are zero, between a minimum and a maximum chunk size.
 *
 * <p>The boundary rule is that of {@code Chunker::next_boundary} in xet-core's
 * {@code deduplication/src/chunking.rs} (the version with the hash reset, which the xet-core wasm oracle
 * agrees with): the hash starts from 0 at each chunk; the first {@code min - 64 - 1} bytes of a chunk are
 * not fed to the hash at all (the gear hash only remembers the last 64 bytes, so by the time a boundary
 * may be taken the skipped bytes could not have mattered); a match ({@code hash & mask == 0}) ends the
 * chunk only once it holds at least {@code min} bytes; a chunk that reaches the maximum size ends there.
 * Older xet-core versions kept the hash across chunks and allowed boundaries from {@code min - 64}: that
 * gives other chunks, which the oracle rejects. The last chunk of a stream is whatever remains
 * (never empty: an empty stream has no chunks).
 *
 * <p>Streaming: data can be fed in any splits and gives the same chunks. State is three numbers (and the
 * last array scanned, wrapped once); nothing is allocated while scanning. Not thread-safe.
 */
public final class GearHashChunker {
    /** xet-core's {@code TARGET_CDC_CHUNK_SIZE}: 64 KiB. */
    public static final int DEFAULT_TARGET = 64 * 1024;
    /** xet-core's {@code MINIMUM_CHUNK_DIVISOR}: the minimum size is target / 8. */
    public static final int MINIMUM_CHUNK_DIVISOR = 8;
    /** xet-core's {@code MAXIMUM_CHUNK_MULTIPLIER}: the maximum size is target * 2. */
    public static final int MAXIMUM_CHUNK_MULTIPLIER = 2;
    /** Bytes the gear hash depends on: a 64-bit state shifted by one bit per byte. */
    public static final int HASH_WINDOW = 64;

    private static final long[] TABLE = GearTable.TABLE;

    static {
        // C2 inlines a direct buffer's get(int) only if the class in the signature of its memory-session check
        // (jdk.internal.foreign.MemorySessionImpl) is loaded; in a process that has not touched the foreign
        // memory API, and not loaded it from the AOT cache, the scan loop called out for every byte, about
        // 40 times slower (`create --xet` chunked 256 MiB in 4.8 s). A heap segment loads it.
        MemorySegment.ofArray(new byte[0]);
    }

    private final int minimum;
    private final int maximum;
    private final long mask;
    /** Bytes at the start of a chunk that are skipped without hashing. */
    private final int skip;

    private long hash;
    private int chunkLength;
    private long chunkStart;
    /** The last array scanned, wrapped once (not per call) so that arrays and buffers share one loop. */
    private ByteBuffer arrayView;

    /** A chunker with xet-core's defaults: target 64 KiB, minimum 8 KiB, maximum 128 KiB. */
    public GearHashChunker() {
        this(DEFAULT_TARGET);
    }

    /**
     * A chunker with another target size (a power of two above 64, as xet-core requires); minimum and
     * maximum follow from it. Xet itself always uses {@link #DEFAULT_TARGET}.
     */
    public GearHashChunker(int targetChunkSize) {
        if (targetChunkSize <= HASH_WINDOW || Integer.bitCount(targetChunkSize) != 1
                || targetChunkSize > (1 << 29)) {
            throw new IllegalArgumentException("target chunk size must be a power of two in (64, 2^29]: "
                    + targetChunkSize);
        }
        final long lowMask = targetChunkSize - 1L;
        // xet-core shifts the mask to the top bits: the low bits of a gear hash depend on few bytes only.
        this.mask = lowMask << Long.numberOfLeadingZeros(lowMask);
        this.minimum = targetChunkSize / MINIMUM_CHUNK_DIVISOR;
        this.maximum = targetChunkSize * MAXIMUM_CHUNK_MULTIPLIER;
        this.skip = Math.max(0, minimum - HASH_WINDOW - 1);
    }

    /** The smallest chunk size, except for the last chunk of a stream. */
    public int minimum() {
        return minimum;
    }

    public int maximum() {
        return maximum;
    }

    public long mask() {
        return mask;
    }

    /** Bytes of the current, unfinished chunk seen so far. */
    public int pendingLength() {
        return chunkLength;
    }

    /** Stream offset of the current, unfinished chunk. */
    public long chunkStart() {
        return chunkStart;
    }

    /** Forgets everything: the next byte starts a new stream at offset 0. */
    public void reset() {
        hash = 0;
        chunkLength = 0;
        chunkStart = 0;
    }

    /**
     * Scans {@code data[from, to)} as the continuation of the stream.
     *
     * @return the index just past the end of the current chunk if it ends within the range (the chunker
     *     then starts a new chunk there, and the caller calls again from that index), or -1 if it does not
     *     (all of the range then belongs to the current chunk)
     */
    public int nextBoundary(final byte[] data, final int from, final int to) {
        if (from < 0 || to > data.length || from > to) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + data.length);
        }
        ByteBuffer view = arrayView;
        if (view == null || view.array() != data) {
            view = ByteBuffer.wrap(data);
            arrayView = view;
        }
        return scan(view, from, to);
    }

    /**
     * As {@link #nextBoundary(byte[], int, int)}, over absolute indexes of a buffer (heap or direct); the
     * buffer's position and limit are not used or changed.
     */
    public int nextBoundary(final ByteBuffer data, final int from, final int to) {
        if (from < 0 || to > data.capacity() || from > to) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + data.capacity());
        }
        return scan(data, from, to);
    }

    /**
     * The one scan loop for arrays and buffers. An absolute {@code ByteBuffer.get(int)} compiles to a plain
     * load for heap and direct buffers alike: this loop ran as fast as the former separate array loop, also
     * with both kinds of buffer in one JVM (about 2.8 GB/s per core either way, docs/performance.md).
     */
    private int scan(final ByteBuffer data, final int from, final int to) {
        final long[] table = TABLE;
        final long m = mask;
        final int min = minimum;
        int length = chunkLength;
        int pos = from;
        if (length < skip) {
            final int advance = Math.min(skip - length, to - pos);
            pos += advance;
            length += advance;
        }
        final int end = (int) Math.min(to, (long) pos + (maximum - length));
        long h = hash;
        final int scanFrom = pos;
        while (pos < end) {
            h = (h << 1) + table[data.get(pos++) & 0xFF];
            if ((h & m) == 0 && length + (pos - scanFrom) >= min) {
                return endChunk(length + (pos - scanFrom), pos);
            }
        }
        hash = h;
        length += pos - scanFrom;
        if (length >= maximum) {
            return endChunk(length, pos);
        }
        chunkLength = length;
        return -1;
    }

    private int endChunk(final int length, final int pos) {
        // xet-core resets the hash at every boundary, so a chunk's boundaries depend on its own bytes only.
        hash = 0;
        chunkStart += length;
        chunkLength = 0;
        return pos;
    }

    /** Feeds {@code data[offset, offset + length)} and reports every chunk that ends within it. */
    public void update(final byte[] data, final int offset, final int length, final ChunkSink sink) {
        final int to = offset + length;
        int pos = offset;
        while (pos < to) {
            final long start = chunkStart;
            final int pending = chunkLength;
            final int boundary = nextBoundary(data, pos, to);
            if (boundary < 0) {
                return;
            }
            sink.chunk(start, pending + (boundary - pos));
            pos = boundary;
        }
    }

    /** Feeds the buffer's remaining bytes (position advances to the limit) and reports finished chunks. */
    public void update(final ByteBuffer data, final ChunkSink sink) {
        final int to = data.limit();
        int pos = data.position();
        while (pos < to) {
            final long start = chunkStart;
            final int pending = chunkLength;
            final int boundary = nextBoundary(data, pos, to);
            if (boundary < 0) {
                break;
            }
            sink.chunk(start, pending + (boundary - pos));
            pos = boundary;
        }
        data.position(to);
    }

    /**
     * Ends the stream: reports the unfinished chunk if it holds any bytes, then resets for a new stream.
     */
    public void finish(final ChunkSink sink) {
        if (chunkLength > 0) {
            sink.chunk(chunkStart, chunkLength);
        }
        reset();
    }
}
