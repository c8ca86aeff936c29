package ccbt.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** A 20-byte peer id. Ours follows the Azureus-style convention: "-CB0001-" then 12 random characters. */
public final class PeerId {
    public static final int LENGTH = 20;
    private static final byte[] PREFIX = "-CB0001-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ALPHABET =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".getBytes(StandardCharsets.US_ASCII);

    private final byte[] bytes;

    private PeerId(byte[] bytes) {
        this.bytes = bytes;
    }

    public static PeerId generate() {
        byte[] id = new byte[LENGTH];
        System.arraycopy(PREFIX, 0, id, 0, PREFIX.length);
        for (int i = PREFIX.length; i < LENGTH; i++) {
            // A peer id only has to differ from others, not to be unguessable (every peer it talks to learns it):
            // no SecureRandom, whose set-up cost each process several milliseconds at start.
            id[i] = ALPHABET[ThreadLocalRandom.current().nextInt(ALPHABET.length)];
        }
        return new PeerId(id);
    }

    public static PeerId of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("peer id must be 20 bytes, got " + bytes.length);
        }
        return new PeerId(bytes.clone());
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** The id as tracker query parameters carry it: every byte percent-encoded unless unreserved. */
    public String urlEncoded() {
        return UrlBytes.encode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
