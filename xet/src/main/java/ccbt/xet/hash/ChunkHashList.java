package ccbt.xet.hash;

import java.util.Arrays;

/**
 * An append-only list of (chunk hash, chunk length) pairs in stream order, stored flat (32 bytes + one
 * long per entry, no object per chunk). The input of the xorb and file merkle hashes.
 */
public final class ChunkHashList {
    private byte[] hashes;
    private long[] lengths;
    private int size;
    private long totalLength;

    public ChunkHashList() {
        this(64);
    }

    public ChunkHashList(int initialCapacity) {
        final int capacity = Math.max(1, initialCapacity);
        hashes = new byte[capacity * XetHash.LENGTH];
        lengths = new long[capacity];
    }

    /** Appends a chunk whose hash is {@code hash[offset, offset + 32)}. */
    public void add(byte[] hash, int offset, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("chunk length must not be negative: " + length);
        }
        if (size == lengths.length) {
            final int capacity = Math.addExact(size, Math.max(16, size >> 1));
            hashes = Arrays.copyOf(hashes, Math.multiplyExact(capacity, XetHash.LENGTH));
            lengths = Arrays.copyOf(lengths, capacity);
        }
        System.arraycopy(hash, offset, hashes, size * XetHash.LENGTH, XetHash.LENGTH);
        lengths[size++] = length;
        totalLength += length;
    }

    public void add(XetHash hash, long length) {
        add(hash.bytes(), 0, length);
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Sum of all chunk lengths. */
    public long totalLength() {
        return totalLength;
    }

    public XetHash hash(int index) {
        return XetHash.of(hashes, XetHash.LENGTH * checkIndex(index));
    }

    public long length(int index) {
        return lengths[checkIndex(index)];
    }

    public void clear() {
        size = 0;
        totalLength = 0;
    }

    /** Flat view of the hashes (entry i at byte 32 * i); valid until the next add. */
    byte[] hashArray() {
        return hashes;
    }

    long[] lengthArray() {
        return lengths;
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("chunk index " + index + " of " + size);
        }
        return index;
    }
}
