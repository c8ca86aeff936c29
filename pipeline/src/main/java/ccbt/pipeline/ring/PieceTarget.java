package ccbt.pipeline.ring;

import java.nio.ByteBuffer;

/**
 * What the ring's stages need from the torrent a staged piece belongs to. Implemented by the torrent
 * session; every method but {@link #pieceDone} is called on a stage thread and must be thread-safe.
 */
public interface PieceTarget {
    /**
     * Whether the SHA-1 digest in {@code digest} at {@code offset} (20 bytes, the hash of the staged piece, which
     * the hash-verify stage computed) is the piece's expected hash.
     */
    boolean matches(int piece, byte[] digest, int offset);

    /**
     * Runs a verified piece through the torrent's Xet chunking, if it has any; called on the Xet-chunk
     * stage's thread, in ring order, before the piece is written.
     */
    default void chunk(int piece, ByteBuffer data) {
        // no Xet chunking: nothing to do (data: position 0, limit = piece length; read with absolute indexes)
    }

    /**
     * Writes the verified piece to its files; throws on an I/O failure such as a full disk. {@code direct} is false
     * when the disk-write stage has fallen behind the device: the piece should then go through the page cache,
     * which takes it at memory speed, rather than wait for the device ({@link DiskWriteStage}).
     */
    void write(int piece, ByteBuffer data, boolean direct) throws Exception;

    /**
     * Reports the outcome of a piece that went through the ring; the staging slot may be reused once this
     * returns. Called on the last stage's thread; implementations hand the result to their own thread.
     */
    void pieceDone(int piece, int slot, PieceOutcome outcome, Throwable writeFailure);
}
