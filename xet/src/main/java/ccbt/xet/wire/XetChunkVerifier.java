package ccbt.xet.wire;

import ccbt.xet.hash.KeyedBlake3;
import ccbt.xet.hash.XetHash;
import ccbt.xet.hash.XetHashes;
import java.nio.ByteBuffer;

/**
 * Checks received chunks before anything uses them: a chunk is accepted only if its bytes hash (Xet chunk
 * hash, {@link XetHashes#chunkHash}) to the hash we requested. Reuses one hasher and one output array, so
 * it allocates nothing per chunk. Not thread-safe: one per connection or per verifying thread.
 */
public final class XetChunkVerifier {
    private final KeyedBlake3 hasher = XetHashes.newChunkHasher();
    private final byte[] digest = new byte[XetHash.LENGTH];

    /** Whether {@code data[offset, offset + length)} (absolute indexes) hashes to {@code expected}. */
    public boolean matches(final XetHash expected, final ByteBuffer data, final int offset, final int length) {
        if (offset < 0 || length < 0 || offset > data.limit() - length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of " + data.limit());
        }
        hasher.update(data, offset, offset + length);
        hasher.finish(digest, 0);
        return expected.matches(digest, 0);
    }

    /**
     * Accepts a decoded CHUNK_RESPONSE to a request for {@code requested}: the hash it names must be the one
     * requested and its bytes must hash to it.
     *
     * @throws XetWireException if either differs: the peer sent a bad chunk, which must not be stored
     */
    public void verifyResponse(final XetMessageDecoder response, final XetHash requested) {
        if (response.type() != XetWireDescriptor.CHUNK_RESPONSE) {
            throw new IllegalArgumentException("not a CHUNK_RESPONSE: " + response);
        }
        if (!response.chunkHashEquals(requested)) {
            throw new XetWireException("CHUNK_RESPONSE to request " + Integer.toUnsignedString(response.requestId())
                    + " names chunk " + response.chunkHash() + ", requested " + requested);
        }
        if (!matches(requested, response.buffer(), response.chunkDataOffset(), response.chunkDataLength())) {
            throw new XetWireException("bad chunk in CHUNK_RESPONSE to request "
                    + Integer.toUnsignedString(response.requestId()) + ": " + response.chunkDataLength()
                    + " bytes hash to " + XetHash.of(digest) + ", requested " + requested);
        }
    }
}
