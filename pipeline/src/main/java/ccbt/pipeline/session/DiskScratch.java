package ccbt.pipeline.session;

import ccbt.core.DirectBuffers;
import ccbt.core.hash.Sha1;
import ccbt.xet.wire.XetChunkVerifier;
import ccbt.xet.wire.XetWireDescriptor;
import java.nio.ByteBuffer;

/**
 * Buffers and hashers that the Xet disk tasks reuse, one set per disk thread: checking a piece that chunks filled,
 * or copying chunks from other files, no longer allocates a piece-sized buffer, an off-heap chunk buffer or a
 * hasher each time. Made on a thread's first task; confined to that thread.
 */
final class DiskScratch {
    /** A piece being checked is read and hashed this many bytes at a time. */
    static final int BLOCK_BYTES = 1 << 20;
    private static final ThreadLocal<DiskScratch> PER_THREAD = ThreadLocal.withInitial(DiskScratch::new);

    /** Room for the largest Xet chunk. */
    final ByteBuffer chunk = DirectBuffers.cacheAligned(XetWireDescriptor.MAX_CHUNK_LENGTH);
    final XetChunkVerifier chunkVerifier = new XetChunkVerifier();
    final ByteBuffer block = DirectBuffers.cacheAligned(BLOCK_BYTES);
    final Sha1 sha1 = Sha1.create();

    private DiskScratch() {
    }

    /** This thread's set. */
    static DiskScratch current() {
        return PER_THREAD.get();
    }
}
