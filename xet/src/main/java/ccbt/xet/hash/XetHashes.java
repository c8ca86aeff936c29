package ccbt.xet.hash;

/**
 * The keyed BLAKE3 hashes of Xet: chunk (leaf) hashes, merkle internal node hashes and the keyed "hmac"
 * xet-core applies to a merkle root to get a file hash.
 *
 * <p>Keys: {@code DATA_KEY} and {@code INTERNAL_NODE_HASH} in xet-core's
 * {@code merklehash/src/data_hash.rs} (the spec, docs/xet/hashing.md in huggingface/hub-docs, lists the
 * same bytes).
 */
public final class XetHashes {
    private XetHashes() {
    }

    /** Key of chunk hashes: xet-core's {@code DATA_KEY}. */
    static final byte[] DATA_KEY = bytes(
            102, 151, 245, 119, 91, 149, 80, 222, 49, 53, 203, 172, 165, 151, 24, 28, 157, 228, 33, 16, 155, 235,
            43, 88, 180, 208, 176, 75, 147, 173, 242, 41);

    /** Key of merkle internal node hashes: xet-core's {@code INTERNAL_NODE_HASH}. */
    static final byte[] INTERNAL_NODE_KEY = bytes(
            1, 126, 197, 199, 165, 71, 41, 150, 253, 148, 102, 102, 180, 138, 2, 230, 93, 221, 83, 111, 55, 199,
            109, 210, 248, 99, 82, 230, 74, 83, 113, 63);

    private static byte[] bytes(int... values) {
        final byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    /** A reusable incremental hasher for chunk hashes. */
    public static KeyedBlake3 newChunkHasher() {
        return new KeyedBlake3(DATA_KEY);
    }

    /** A reusable incremental hasher for internal node hashes (input: the node's text form). */
    public static KeyedBlake3 newInternalNodeHasher() {
        return new KeyedBlake3(INTERNAL_NODE_KEY);
    }

    /** The Xet hash of one chunk's bytes. */
    public static XetHash chunkHash(byte[] data, int offset, int length) {
        final KeyedBlake3 hasher = newChunkHasher();
        hasher.update(data, offset, length);
        return hasher.finish();
    }

    /**
     * xet-core's {@code DataHash::hmac}: BLAKE3 keyed with {@code key} over the 32 raw bytes of
     * {@code message}. The file hash is the merkle root "hmac"-ed with an all-zero key.
     */
    public static XetHash hmac(XetHash message, XetHash key) {
        final KeyedBlake3 hasher = new KeyedBlake3(key.bytes());
        hasher.update(message.bytes(), 0, XetHash.LENGTH);
        return hasher.finish();
    }
}
