package ccbt.xet;

import ccbt.xet.hash.XetHash;

/** Receives chunks with their Xet hashes, in stream order. */
@FunctionalInterface
public interface HashedChunkSink {
    /**
     * @param offset the chunk's first byte, counted from the start of the stream
     * @param length the chunk's length, at least 1
     * @param hash the chunk's Xet hash (keyed BLAKE3 of its bytes)
     */
    void chunk(long offset, int length, XetHash hash);
}
