package ccbt.core;

import java.util.Arrays;

/**
 * A fixed-size set of piece indices, stored as in the BEP 3 BITFIELD message: bit 7 of byte 0 is piece 0.
 * Not thread-safe; each owner confines it to one thread.
 */
public final class Bitfield {
    private final int size;
    private final byte[] bits;
    private int cardinality;

    public Bitfield(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative bitfield size " + size);
        }
        this.size = size;
        this.bits = new byte[byteLength(size)];
    }

    public static int byteLength(int size) {
        return (size + 7) >>> 3;
    }

    /**
     * Reads a bitfield as peers send it. The length must be exactly ceil(size/8) and the spare bits
     * after the last piece must be zero (BEP 3); otherwise the peer is broken or hostile.
     */
    public static Bitfield fromWire(byte[] wire, int size) {
        Bitfield b = new Bitfield(size);
        if (wire.length != b.bits.length) {
            throw new IllegalArgumentException(
                    "bitfield is " + wire.length + " bytes, expected " + b.bits.length + " for " + size + " pieces");
        }
        int spare = b.bits.length * 8 - size;
        if (spare > 0 && (wire[wire.length - 1] & ((1 << spare) - 1)) != 0) {
            throw new IllegalArgumentException("bitfield has spare bits set after piece " + (size - 1));
        }
        System.arraycopy(wire, 0, b.bits, 0, wire.length);
        int count = 0;
        for (byte x : wire) {
            count += Integer.bitCount(x & 0xff);
        }
        b.cardinality = count;
        return b;
    }

    public int size() {
        return size;
    }

    public boolean get(int index) {
        checkIndex(index);
        return (bits[index >>> 3] & (0x80 >>> (index & 7))) != 0;
    }

    /** Sets a bit; returns true if it was clear before. */
    public boolean set(int index) {
        checkIndex(index);
        int mask = 0x80 >>> (index & 7);
        if ((bits[index >>> 3] & mask) != 0) {
            return false;
        }
        bits[index >>> 3] |= (byte) mask;
        cardinality++;
        return true;
    }

    /** Clears a bit; returns true if it was set before. */
    public boolean clear(int index) {
        checkIndex(index);
        int mask = 0x80 >>> (index & 7);
        if ((bits[index >>> 3] & mask) == 0) {
            return false;
        }
        bits[index >>> 3] &= (byte) ~mask;
        cardinality--;
        return true;
    }

    public void setAll() {
        for (int i = 0; i < size; i++) {
            set(i);
        }
    }

    public int cardinality() {
        return cardinality;
    }

    public boolean isComplete() {
        return cardinality == size;
    }

    public boolean isEmpty() {
        return cardinality == 0;
    }

    /** The first set index at or after {@code from}, or -1. */
    public int nextSetBit(int from) {
        for (int i = Math.max(from, 0); i < size; i++) {
            if ((bits[i >>> 3] & (0x80 >>> (i & 7))) != 0) {
                return i;
            }
            if ((i & 7) == 7 && i + 8 < size) {
                while (i + 8 < size && bits[(i + 1) >>> 3] == 0) {
                    i += 8;
                }
            }
        }
        return -1;
    }

    /** The first clear index at or after {@code from}, or -1. */
    public int nextClearBit(int from) {
        for (int i = Math.max(from, 0); i < size; i++) {
            if ((bits[i >>> 3] & (0x80 >>> (i & 7))) == 0) {
                return i;
            }
        }
        return -1;
    }

    /** The wire form (a copy). */
    public byte[] toBytes() {
        return bits.clone();
    }

    public Bitfield copy() {
        Bitfield c = new Bitfield(size);
        System.arraycopy(bits, 0, c.bits, 0, bits.length);
        c.cardinality = cardinality;
        return c;
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("piece " + index + " outside 0.." + (size - 1));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bitfield b && b.size == size && Arrays.equals(b.bits, bits);
    }

    @Override
    public int hashCode() {
        return 31 * size + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "Bitfield[" + cardinality + "/" + size + "]";
    }
}
