package ccbt.pipeline.staging;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;

/**
 * Off-heap slots, one piece each, where downloaded blocks are copied from the socket buffer until the
 * piece is complete. The pool's size is the download's memory bound: when no slot is free the scheduler
 * starts no new piece. Slots are taken and released on the torrent's event loop only.
 */
public final class StagingPool {
    private final int slotSize;
    private final ByteBuffer[] slots;
    /** A second view per slot, used only to copy blocks in, so that the ring's view is never disturbed. */
    private final ByteBuffer[] writeViews;
    private final int[] free;
    private int freeCount;

    /**
     * @param slotCount number of pieces that can be staged at once
     * @param slotSize  the torrent's piece length
     */
    public StagingPool(final int slotCount, final int slotSize) {
        if (slotCount < 1 || slotSize < 1) {
            throw new IllegalArgumentException("invalid staging pool slotCount=" + slotCount + " slotSize=" + slotSize);
        }
        this.slotSize = slotSize;
        this.slots = new ByteBuffer[slotCount];
        this.writeViews = new ByteBuffer[slotCount];
        this.free = new int[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = alignedSlot(slotSize);
            writeViews[i] = slots[i].duplicate();
            free[i] = slotCount - 1 - i;
        }
        this.freeCount = slotCount;
    }

    /**
     * A direct buffer of {@code size} bytes whose address is a multiple of the store's direct-write alignment, so
     * that a whole piece can go to disk with O_DIRECT (ccbt.store.PieceStore) straight from its slot.
     */
    static ByteBuffer alignedSlot(final int size) {
        final int alignment = ccbt.store.PieceStore.DIRECT_ALIGNMENT;
        return ByteBuffer.allocateDirect(((size + alignment - 1) & -alignment) + alignment).alignedSlice(alignment)
            .limit(size).slice();
    }

    /** Slot count computed from a memory budget, never fewer than {@code minimum}. */
    public static int slotsFor(final long budgetBytes, final int slotSize, final int minimum) {
        return (int) Math.max(minimum, Math.min(4096, budgetBytes / slotSize));
    }

    /** Takes a free slot, or returns -1 when all are staged. */
    public int acquire() {
        return freeCount == 0 ? -1 : free[--freeCount];
    }

    /** Returns a slot to the pool. */
    public void release(final int slot) {
        free[freeCount++] = slot;
    }

    /** The bytes of a slot, limited to {@code length} (the piece's own length). */
    public ByteBuffer view(final int slot, final int length) {
        final ByteBuffer buffer = slots[slot];
        buffer.clear().limit(length);
        return buffer;
    }

    /** Copies a block's readable bytes into a slot at {@code offset}; the source's indices do not move. */
    public void copyIn(final int slot, final int offset, final ByteBuf block) {
        final int length = block.readableBytes();
        if (offset < 0 || offset + length > slotSize) {
            throw new IndexOutOfBoundsException("block offset=" + offset + " length=" + length
                + " outside slot size=" + slotSize);
        }
        final ByteBuffer view = writeViews[slot];
        view.clear().position(offset).limit(offset + length);
        block.getBytes(block.readerIndex(), view);
    }
}
