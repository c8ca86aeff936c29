package ccbt.xet.format;

import ccbt.xet.hash.ChunkHashList;
import ccbt.xet.hash.XetHash;
import ccbt.xet.hash.XetMerkle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A file's chunk list: the hash and length of each of its chunks in order, which is what a reader needs to
 * fetch, dedup and check the file. It is verified against the file's Xet hash by recomputing the merkle
 * file hash from the entries.
 *
 * <p>Serialized form (ccbt's own; little-endian):
 * <pre>
 * 0   magic "CCBTXCL" and version byte 1
 * 8   chunk count (u32)
 * 12  reserved (u32, 0)
 * 16  file length (u64): sum of the chunk lengths
 * 24  file hash [32]
 * 56  per chunk: hash [32], length (u32)
 * </pre>
 */
public final class ChunkList {
    static final byte[] MAGIC = "CCBTXCL".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int COUNT_OFFSET = 8;
    static final int RESERVED_OFFSET = 12;
    static final int LENGTH_OFFSET = 16;
    static final int FILE_HASH_OFFSET = 24;
    static final int HEADER_LENGTH = 56;
    static final int ENTRY_LENGTH = XetHash.LENGTH + 4;
    /** Largest chunk a list may name: the chunker's maximum. */
    public static final int MAX_CHUNK_LENGTH = Xorb.MAX_CHUNK_LENGTH;

    private final ChunkHashList chunks;
    private final XetHash fileHash;

    private ChunkList(ChunkHashList chunks, XetHash fileHash) {
        this.chunks = chunks;
        this.fileHash = fileHash;
    }

    /** The list of these chunks (copied), with the file hash computed from them. */
    public static ChunkList of(ChunkHashList chunks) {
        final ChunkHashList copy = new ChunkHashList(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            final long length = chunks.length(i);
            if (length < 1 || length > MAX_CHUNK_LENGTH) {
                throw new IllegalArgumentException("chunk " + i + " length " + length + " is not in [1, "
                        + MAX_CHUNK_LENGTH + "]");
            }
            copy.add(chunks.hash(i), length);
        }
        return new ChunkList(copy, XetMerkle.fileHash(copy));
    }

    /** Length of the serialized form of a list of {@code chunkCount} chunks. */
    public static long serializedLength(long chunkCount) {
        if (chunkCount < 0) {
            throw new IllegalArgumentException("chunk count must not be negative: " + chunkCount);
        }
        return HEADER_LENGTH + ENTRY_LENGTH * chunkCount;
    }

    public int size() {
        return chunks.size();
    }

    public XetHash hash(int i) {
        return chunks.hash(i);
    }

    public int length(int i) {
        return (int) chunks.length(i);
    }

    /** Length of the file: the sum of the chunk lengths. */
    public long fileLength() {
        return chunks.totalLength();
    }

    /** The file hash recorded with the list (for a parsed list: as read, not yet checked). */
    public XetHash fileHash() {
        return fileHash;
    }

    /**
     * Checks that the chunks hash to {@code expected} (Xet's file hash: the merkle root of the chunk hashes
     * and lengths, keyed-hashed) and that the recorded file hash agrees.
     *
     * @throws XetFormatException if either differs
     */
    public void verify(XetHash expected) {
        final XetHash actual = XetMerkle.fileHash(chunks);
        if (!actual.equals(expected)) {
            throw new XetFormatException("chunk list hashes to file hash " + actual + ", expected " + expected);
        }
        if (!fileHash.equals(actual)) {
            throw new XetFormatException("chunk list records file hash " + fileHash + " but its chunks hash to "
                    + actual);
        }
    }

    /** The serialized form. */
    public byte[] serialize() {
        final int n = chunks.size();
        final byte[] out = new byte[HEADER_LENGTH + ENTRY_LENGTH * n];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[MAGIC.length] = VERSION;
        putLe(out, COUNT_OFFSET, n, 4);
        putLe(out, LENGTH_OFFSET, chunks.totalLength(), 8);
        fileHash.copyTo(out, FILE_HASH_OFFSET);
        int at = HEADER_LENGTH;
        for (int i = 0; i < n; i++) {
            chunks.hash(i).copyTo(out, at);
            putLe(out, at + XetHash.LENGTH, chunks.length(i), 4);
            at += ENTRY_LENGTH;
        }
        return out;
    }

    /** Parses a serialized list; every field is checked against the bytes present. */
    public static ChunkList parse(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset > bytes.length - length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of " + bytes.length);
        }
        if (length < HEADER_LENGTH) {
            throw new XetFormatException("truncated chunk list: " + length + " bytes, header takes " + HEADER_LENGTH);
        }
        if (!Arrays.equals(bytes, offset, offset + MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new XetFormatException("not a chunk list: bad magic");
        }
        final int version = bytes[offset + MAGIC.length] & 0xFF;
        if (version != VERSION) {
            throw new XetFormatException("unsupported chunk list version " + version);
        }
        final long count = getLe(bytes, offset + COUNT_OFFSET, 4);
        if (count != (length - HEADER_LENGTH) / ENTRY_LENGTH || (length - HEADER_LENGTH) % ENTRY_LENGTH != 0) {
            throw new XetFormatException("chunk list says " + count + " chunks but holds " + (length - HEADER_LENGTH)
                    + " bytes of entries (" + ENTRY_LENGTH + " each)");
        }
        if (getLe(bytes, offset + RESERVED_OFFSET, 4) != 0) {
            throw new XetFormatException("chunk list reserved field is not zero");
        }
        final long fileLength = getLe(bytes, offset + LENGTH_OFFSET, 8);
        final ChunkHashList chunks = new ChunkHashList((int) count);
        int at = offset + HEADER_LENGTH;
        for (int i = 0; i < count; i++) {
            final long chunkLength = getLe(bytes, at + XetHash.LENGTH, 4);
            if (chunkLength < 1 || chunkLength > MAX_CHUNK_LENGTH) {
                throw new XetFormatException("chunk " + i + " length " + chunkLength + " is not in [1, "
                        + MAX_CHUNK_LENGTH + "]");
            }
            chunks.add(bytes, at, chunkLength);
            at += ENTRY_LENGTH;
        }
        if (chunks.totalLength() != fileLength) {
            throw new XetFormatException("chunk list says the file is " + fileLength + " bytes, its chunks sum to "
                    + chunks.totalLength());
        }
        return new ChunkList(chunks, XetHash.of(bytes, offset + FILE_HASH_OFFSET));
    }

    public static ChunkList parse(byte[] bytes) {
        return parse(bytes, 0, bytes.length);
    }

    private static void putLe(byte[] out, int at, long value, int width) {
        for (int i = 0; i < width; i++) {
            out[at + i] = (byte) (value >>> (8 * i));
        }
    }

    private static long getLe(byte[] in, int at, int width) {
        long value = 0;
        for (int i = 0; i < width; i++) {
            value |= (in[at + i] & 0xFFL) << (8 * i);
        }
        return value;
    }
}
