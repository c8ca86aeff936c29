package ccbt.xet;

import ccbt.xet.chunk.GearHashChunker;
import ccbt.xet.hash.ChunkHashList;
import ccbt.xet.hash.KeyedBlake3;
import ccbt.xet.hash.XetHash;
import ccbt.xet.hash.XetHashes;
import ccbt.xet.hash.XetMerkle;
import java.nio.ByteBuffer;

/**
 * Chunks a stream and hashes each chunk as it goes: the bytes are hashed in place while the chunker scans
 * them, so no chunk is ever buffered (memory does not grow with chunk or file size, apart from the list of
 * chunk hashes kept for the file hash). Not thread-safe.
 */
public final class XetChunkHasher {
    private final GearHashChunker chunker;
    private final KeyedBlake3 hasher = XetHashes.newChunkHasher();
    private final byte[] hashOut = new byte[XetHash.LENGTH];
    private final ChunkHashList chunks = new ChunkHashList();
    private final HashedChunkSink sink;

    /** Reports each chunk to {@code sink} (may be null) and keeps the list for {@link #fileHash()}. */
    public XetChunkHasher(HashedChunkSink sink) {
        this(new GearHashChunker(), sink);
    }

    public XetChunkHasher(GearHashChunker chunker, HashedChunkSink sink) {
        this.chunker = chunker;
        this.sink = sink;
    }

    /** Feeds {@code data[offset, offset + length)}. */
    public void update(byte[] data, int offset, int length) {
        final int to = offset + length;
        int pos = offset;
        while (pos < to) {
            final long start = chunker.chunkStart();
            final int pending = chunker.pendingLength();
            final int boundary = chunker.nextBoundary(data, pos, to);
            if (boundary < 0) {
                hasher.update(data, pos, to - pos);
                return;
            }
            hasher.update(data, pos, boundary - pos);
            emit(start, pending + (boundary - pos));
            pos = boundary;
        }
    }

    /** Feeds the buffer's remaining bytes; its position advances to its limit. */
    public void update(ByteBuffer data) {
        final int to = data.limit();
        int pos = data.position();
        while (pos < to) {
            final long start = chunker.chunkStart();
            final int pending = chunker.pendingLength();
            final int boundary = chunker.nextBoundary(data, pos, to);
            // Absolute indexes: no duplicate buffer per chunk. (A duplicate().limit().position() chain here
            // made `data` read as null under C2 on Temurin 25.0.3; gone with -XX:-DoEscapeAnalysis.)
            hasher.update(data, pos, boundary < 0 ? to : boundary);
            if (boundary < 0) {
                break;
            }
            emit(start, pending + (boundary - pos));
            pos = boundary;
        }
        data.position(to);
    }

    /** Ends the stream: the last, possibly short chunk is reported. Call once. */
    public void finish() {
        final int pending = chunker.pendingLength();
        if (pending > 0) {
            emit(chunker.chunkStart(), pending);
        }
        chunker.reset();
    }

    private void emit(long start, int length) {
        hasher.finish(hashOut, 0);
        chunks.add(hashOut, 0, length);
        if (sink != null) {
            sink.chunk(start, length, XetHash.of(hashOut));
        }
    }

    /** The chunks reported so far. */
    public ChunkHashList chunks() {
        return chunks;
    }

    /** The file hash of the chunks so far (call after {@link #finish()}). */
    public XetHash fileHash() {
        return XetMerkle.fileHash(chunks);
    }

    /** The hash of one xorb holding all the chunks so far. */
    public XetHash xorbHash() {
        return XetMerkle.xorbHash(chunks);
    }
}
