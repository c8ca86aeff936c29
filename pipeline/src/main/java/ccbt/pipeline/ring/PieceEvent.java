package ccbt.pipeline.ring;

import java.nio.ByteBuffer;

/**
 * One fully staged piece travelling through the ring. Preallocated by the ring and mutated in place:
 * no object is created per piece.
 */
public final class PieceEvent {
    PieceTarget target;
    int piece;
    int slot;
    /** The staging slot's bytes, position 0, limit = piece length. */
    ByteBuffer data;
    long publishedNanos;
    long stageDoneNanos;
    boolean verified;
    /** Hashed with an earlier piece as a pair ({@link HashVerifyStage}): {@link #verified} holds its verdict. */
    boolean hashedAhead;

    void clear() {
        target = null;
        data = null;
        verified = false;
        hashedAhead = false;
    }
}
