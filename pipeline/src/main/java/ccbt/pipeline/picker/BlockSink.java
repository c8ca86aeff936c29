package ccbt.pipeline.picker;

/** Receives blocks one at a time as (piece, block index) pairs, so that no object is made per block. */
@FunctionalInterface
public interface BlockSink {
    /** One block: {@code block} is the index of the 16 KiB block inside {@code piece}. */
    void block(int piece, int block);
}
