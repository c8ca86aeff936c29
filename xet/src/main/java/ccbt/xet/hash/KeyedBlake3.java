package ccbt.xet.hash;

import java.nio.ByteBuffer;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.bouncycastle.crypto.params.Blake3Parameters;

/**
 * Incremental BLAKE3 in keyed mode with a fixed 32-byte key, 32-byte output. Reusable: {@link #finish}
 * returns to the keyed initial state. Not thread-safe.
 */
public final class KeyedBlake3 {
    private final Blake3Digest digest = new Blake3Digest(256);
    private final byte[] scratch = new byte[8192];

    /** A hasher keyed with these 32 bytes (copied). */
    public KeyedBlake3(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("BLAKE3 key must be 32 bytes, got " + key.length);
        }
        digest.init(Blake3Parameters.key(key.clone()));
    }

    public void update(byte[] data, int offset, int length) {
        digest.update(data, offset, length);
    }

    /** Hashes the buffer's remaining bytes; its position advances to its limit. */
    public void update(ByteBuffer data) {
        if (data.hasArray()) {
            digest.update(data.array(), data.arrayOffset() + data.position(), data.remaining());
            data.position(data.limit());
            return;
        }
        while (data.hasRemaining()) {
            final int n = Math.min(scratch.length, data.remaining());
            data.get(scratch, 0, n);
            digest.update(scratch, 0, n);
        }
    }

    /** Writes the 32-byte hash of everything fed since the last finish to {@code out} and resets. */
    public void finish(byte[] out, int offset) {
        digest.doFinal(out, offset);
    }

    /** The hash of everything fed since the last finish; resets. */
    public XetHash finish() {
        final byte[] out = new byte[XetHash.LENGTH];
        finish(out, 0);
        return XetHash.of(out);
    }
}
