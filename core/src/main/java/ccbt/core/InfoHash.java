package ccbt.core;

import java.util.Arrays;
import java.util.HexFormat;

/** A v1 info-hash: the 20-byte SHA-1 of the bencoded info dictionary. Immutable, usable as a map key. */
public final class InfoHash {
    public static final int LENGTH = 20;
    private final byte[] bytes;
    private final int hash;

    private InfoHash(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    public static InfoHash of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("info-hash must be 20 bytes, got " + bytes.length);
        }
        return new InfoHash(bytes.clone());
    }

    public static InfoHash of(byte[] src, int offset) {
        return new InfoHash(Arrays.copyOfRange(src, offset, offset + LENGTH));
    }

    public static InfoHash fromHex(String hex) {
        if (hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("info-hash hex must be 40 characters: " + hex);
        }
        return new InfoHash(HexFormat.of().parseHex(hex));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public byte byteAt(int i) {
        return bytes[i];
    }

    public boolean matches(byte[] other, int offset) {
        return Arrays.equals(bytes, 0, LENGTH, other, offset, offset + LENGTH);
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InfoHash other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return hex();
    }
}
