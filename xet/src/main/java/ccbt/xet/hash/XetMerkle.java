package ccbt.xet.hash;

import java.util.Arrays;

/**
 * Xet's merkle tree over (hash, length) pairs, exactly as xet-core's
 * {@code merklehash/src/aggregated_hashes.rs}: a variable-branching tree whose shape depends on the
 * hashes, so that an edit only changes the nodes around it.
 *
 * <p>One level at a time, the sequence is cut into groups: a group takes at least 2 entries and ends after
 * the first entry, from its third on, whose hash is 0 modulo 4 (the hash's last 64-bit word read
 * little-endian, modulo {@link #MEAN_BRANCHING_FACTOR}), and at most 9 entries (2 * 4 + 1). Each group
 * becomes one entry: the BLAKE3 hash keyed with the internal-node key over the text
 * {@code "<hex> : <length>\n"} per member (hex as {@link XetHash#hex()}, length in decimal), and the sum
 * of the lengths. Levels repeat until one entry is left: the root. An empty list's root is
 * {@link XetHash#ZERO}; a single entry's root is its own hash.
 */
public final class XetMerkle {
    /** xet-core's {@code AGGREGATED_HASHES_MEAN_TREE_BRANCHING_FACTOR}. */
    public static final int MEAN_BRANCHING_FACTOR = 4;
    private static final int MAX_GROUP = 2 * MEAN_BRANCHING_FACTOR + 1;
    /** One text line: 64 hex digits, " : ", up to 19 decimal digits, "\n". */
    private static final int MAX_LINE = 64 + 3 + 19 + 1;

    private XetMerkle() {
    }

    /** The merkle root of the list: the xorb hash of a xorb holding exactly these chunks. */
    public static XetHash root(ChunkHashList chunks) {
        if (chunks.isEmpty()) {
            return XetHash.ZERO;
        }
        final int n = chunks.size();
        // Work on copies: each level overwrites the front of the arrays with its groups.
        final byte[] hashes = Arrays.copyOf(chunks.hashArray(), n * XetHash.LENGTH);
        final long[] lengths = Arrays.copyOf(chunks.lengthArray(), n);
        final KeyedBlake3 hasher = XetHashes.newInternalNodeHasher();
        final byte[] text = new byte[MAX_GROUP * MAX_LINE];
        int count = n;
        while (count > 1) {
            int write = 0;
            int read = 0;
            while (read < count) {
                final int end = read + nextCut(hashes, read, count - read);
                int at = 0;
                long total = 0;
                for (int i = read; i < end; i++) {
                    at = writeLine(hashes, i, lengths[i], text, at);
                    total += lengths[i];
                }
                hasher.update(text, 0, at);
                hasher.finish(hashes, write * XetHash.LENGTH);
                lengths[write] = total;
                write++;
                read = end;
            }
            count = write;
        }
        return XetHash.of(hashes, 0);
    }

    /** The xorb hash: the merkle root of the xorb's chunks. */
    public static XetHash xorbHash(ChunkHashList chunks) {
        return root(chunks);
    }

    /** The file hash: xet-core's {@code file_node_hash}, the root keyed-hashed with an all-zero key. */
    public static XetHash fileHash(ChunkHashList chunks) {
        return fileHash(chunks, XetHash.ZERO);
    }

    /** xet-core's {@code file_node_hash_with_salt}; an empty file's hash is {@link XetHash#ZERO}. */
    public static XetHash fileHash(ChunkHashList chunks, XetHash salt) {
        if (chunks.isEmpty()) {
            return XetHash.ZERO;
        }
        return XetHashes.hmac(root(chunks), salt);
    }

    /** Size of the group starting at {@code from} among {@code remaining} entries (xet-core's next_cut). */
    private static int nextCut(byte[] hashes, int from, int remaining) {
        if (remaining <= 2) {
            return remaining;
        }
        final int end = Math.min(MAX_GROUP, remaining);
        for (int i = 2; i < end; i++) {
            // The last little-endian word modulo 4 is the low two bits of the hash's byte 24.
            if ((hashes[(from + i) * XetHash.LENGTH + 24] & (MEAN_BRANCHING_FACTOR - 1)) == 0) {
                return i + 1;
            }
        }
        return end;
    }

    private static int writeLine(byte[] hashes, int index, long length, byte[] out, int at) {
        XetHash.writeHex(hashes, index * XetHash.LENGTH, out, at);
        at += 2 * XetHash.LENGTH;
        out[at++] = ' ';
        out[at++] = ':';
        out[at++] = ' ';
        final String digits = Long.toString(length);
        for (int i = 0; i < digits.length(); i++) {
            out[at++] = (byte) digits.charAt(i);
        }
        out[at++] = '\n';
        return at;
    }
}
