package ccbt.xet.chunk;

/** Receives chunk boundaries in stream order. */
@FunctionalInterface
public interface ChunkSink {
    /**
     * Called once per chunk.
     *
     * @param offset the chunk's first byte, counted from the start of the stream
     * @param length the chunk's length in bytes, at least 1
     */
    void chunk(long offset, int length);
}
