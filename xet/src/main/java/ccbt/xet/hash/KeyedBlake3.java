package ccbt.xet.hash;

import java.nio.ByteBuffer;

/**
 * Incremental BLAKE3 in keyed mode with a fixed 32-byte key, 32-byte output: the hash behind every Xet
 * hash. Reusable: {@link #finish} returns to the keyed initial state. Backed by ccbt's {@link Blake3}: its
 * vector path where the Vector API is loaded (about 2 GB/s per core on AVX2), else scalar (about as fast as
 * BouncyCastle's Blake3Digest, which the tests use as a cross-check); see {@link Blake3#vectorized()}. Not
 * thread-safe.
 */
public final class KeyedBlake3 {
    private final Blake3 blake3;

    /** A hasher keyed with these 32 bytes. */
    public KeyedBlake3(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("BLAKE3 key must be 32 bytes, got " + key.length);
        }
        this.blake3 = Blake3.newKeyedHasher(key);
    }

    public void update(byte[] data, int offset, int length) {
        blake3.update(data, offset, length);
    }

    /** Hashes the buffer's remaining bytes; its position advances to its limit. */
    public void update(ByteBuffer data) {
        blake3.update(data);
    }

    /** Hashes {@code data[from, to)} by absolute index; the buffer's position and limit are not used. */
    public void update(ByteBuffer data, int from, int to) {
        blake3.update(data, from, to);
    }

    /** Writes the 32-byte hash of everything fed since the last finish to {@code out} and resets. */
    public void finish(byte[] out, int offset) {
        blake3.finish(out, offset);
    }

    /** The hash of everything fed since the last finish; resets. */
    public XetHash finish() {
        final byte[] out = new byte[XetHash.LENGTH];
        finish(out, 0);
        return XetHash.of(out);
    }
}
