package ccbt.pipeline.ring;

/** How a staged piece left the ring. */
public enum PieceOutcome {
    /** Hash matched and the bytes are on disk. */
    WRITTEN,
    /** Hash did not match: nothing was written. */
    HASH_FAILED,
    /** Hash matched but the write failed (for example a full disk): the piece stays unverified. */
    WRITE_FAILED
}
