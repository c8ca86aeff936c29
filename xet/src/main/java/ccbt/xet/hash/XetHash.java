package ccbt.xet.hash;

import java.util.Arrays;

/**
 * A 32-byte Xet hash (chunk, xorb or file hash): the raw BLAKE3 output bytes. Immutable, usable as a map
 * key.
 *
 * <p>Its text form is xet-core's ({@code DataHash::hex} in {@code merklehash/src/data_hash.rs}): the 32
 * bytes are read as four little-endian 64-bit words and each word is printed as 16 hex digits, so the
 * bytes of each 8-byte group appear reversed compared to a plain hex dump.
 */
public final class XetHash implements Comparable<XetHash> {
    public static final int LENGTH = 32;
    /** The all-zero hash: xet-core's hash of an empty file or xorb. */
    public static final XetHash ZERO = new XetHash(new byte[LENGTH]);

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final byte[] bytes;

    private XetHash(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The hash whose raw bytes are these 32 bytes (copied). */
    public static XetHash of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("xet hash must be 32 bytes, got " + bytes.length);
        }
        return new XetHash(bytes.clone());
    }

    /** The hash whose raw bytes are {@code src[offset, offset + 32)} (copied). */
    public static XetHash of(byte[] src, int offset) {
        if (offset < 0 || offset > src.length - LENGTH) {
            throw new IndexOutOfBoundsException("32-byte hash at offset " + offset + " of " + src.length);
        }
        return new XetHash(Arrays.copyOfRange(src, offset, offset + LENGTH));
    }

    /** Parses xet-core's 64-digit hex form (see the class comment); either case is accepted. */
    public static XetHash fromHex(CharSequence hex) {
        if (hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("xet hash hex must be 64 characters, got " + hex.length()
                    + ": " + hex);
        }
        final byte[] out = new byte[LENGTH];
        for (int word = 0; word < 4; word++) {
            for (int k = 0; k < 8; k++) {
                // Digits 2k, 2k+1 of a word are its most significant byte first: byte 7 - k of the word.
                final int at = 16 * word + 2 * k;
                final int hi = Character.digit(hex.charAt(at), 16);
                final int lo = Character.digit(hex.charAt(at + 1), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("not a hex digit at " + (hi < 0 ? at : at + 1) + ": " + hex);
                }
                out[8 * word + 7 - k] = (byte) (hi << 4 | lo);
            }
        }
        return new XetHash(out);
    }

    /** Raw bytes (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Copies the 32 raw bytes into {@code dst} at {@code offset}. */
    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(bytes, 0, dst, offset, LENGTH);
    }

    public byte byteAt(int i) {
        return bytes[i];
    }

    /** True if {@code other[offset, offset + 32)} holds these bytes. */
    public boolean matches(byte[] other, int offset) {
        return Arrays.equals(bytes, 0, LENGTH, other, offset, offset + LENGTH);
    }

    /** xet-core's hex form (see the class comment). */
    public String hex() {
        final char[] out = new char[2 * LENGTH];
        writeHex(bytes, 0, out, 0);
        return new String(out);
    }

    /** Writes the xet-core hex form of {@code src[offset, offset + 32)} as 64 chars into {@code out}. */
    static void writeHex(byte[] src, int offset, char[] out, int at) {
        for (int word = 0; word < 4; word++) {
            for (int k = 0; k < 8; k++) {
                final int b = src[offset + 8 * word + 7 - k] & 0xFF;
                out[at++] = HEX[b >>> 4];
                out[at++] = HEX[b & 0xF];
            }
        }
    }

    /** As {@link #writeHex(byte[], int, char[], int)}, as ASCII bytes. */
    static void writeHex(byte[] src, int offset, byte[] out, int at) {
        for (int word = 0; word < 4; word++) {
            for (int k = 0; k < 8; k++) {
                final int b = src[offset + 8 * word + 7 - k] & 0xFF;
                out[at++] = (byte) HEX[b >>> 4];
                out[at++] = (byte) HEX[b & 0xF];
            }
        }
    }

    @Override
    public int compareTo(XetHash o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XetHash other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        // Already uniformly distributed.
        return (bytes[0] & 0xFF) | (bytes[1] & 0xFF) << 8 | (bytes[2] & 0xFF) << 16 | bytes[3] << 24;
    }

    @Override
    public String toString() {
        return hex();
    }
}
