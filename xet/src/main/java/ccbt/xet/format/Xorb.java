package ccbt.xet.format;

import ccbt.xet.hash.ChunkHashList;
import ccbt.xet.hash.XetHash;
import ccbt.xet.hash.XetHashes;
import ccbt.xet.hash.XetMerkle;
import java.util.Arrays;

/**
 * A parsed xorb: a sequence of chunks (each an 8-byte {@link ChunkHeader} and its possibly compressed
 * bytes) followed by the {@link XorbFooter} metadata. Parsing checks every length and offset against the
 * bytes present and against each other, so that a truncated, oversized or inconsistent xorb is rejected
 * with a {@link XetFormatException} before any chunk is read. Build xorbs with {@link Builder}.
 */
public final class Xorb {
    /** Largest serialized xorb the CAS accepts (Xet spec). */
    public static final int MAX_SERIALIZED_BYTES = 64 * 1024 * 1024;
    /** Largest chunk (the chunker's maximum). */
    public static final int MAX_CHUNK_LENGTH = 128 * 1024;

    private final byte[] bytes;
    private final int base;
    private final int chunkCount;
    private final XetHash hash;
    /** Physical start of chunk i (its header) is chunkStarts[i]; chunkStarts[n] is the footer start. */
    private final int[] chunkStarts;
    private final int[] unpackedEnds;
    private final byte[] chunkHashes;

    private Xorb(byte[] bytes, int base, XetHash hash, int[] chunkStarts, int[] unpackedEnds, byte[] chunkHashes) {
        this.bytes = bytes;
        this.base = base;
        this.hash = hash;
        this.chunkCount = unpackedEnds.length;
        this.chunkStarts = chunkStarts;
        this.unpackedEnds = unpackedEnds;
        this.chunkHashes = chunkHashes;
    }

    /** Parses a whole serialized xorb; the array is used in place, not copied. */
    public static Xorb parse(byte[] bytes) {
        return parse(bytes, 0, bytes.length);
    }

    /** Parses the serialized xorb at {@code bytes[offset, offset + length)}; used in place. */
    public static Xorb parse(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset > bytes.length - length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of " + bytes.length);
        }
        if (length > MAX_SERIALIZED_BYTES) {
            throw new XetFormatException("xorb of " + length + " bytes exceeds the limit of "
                    + MAX_SERIALIZED_BYTES);
        }
        if (length < XorbFooter.LENGTH_FIELD + XorbFooter.FIXED_LENGTH) {
            throw new XetFormatException("truncated xorb: " + length + " bytes, a footer alone takes "
                    + (XorbFooter.LENGTH_FIELD + XorbFooter.FIXED_LENGTH));
        }
        final int end = offset + length;
        final long infoLength = u32(bytes, end - XorbFooter.LENGTH_FIELD);
        if (infoLength < XorbFooter.FIXED_LENGTH || infoLength > length - XorbFooter.LENGTH_FIELD) {
            throw new XetFormatException("xorb footer length " + infoLength + " does not fit a xorb of "
                    + length + " bytes");
        }
        final int footerStart = end - XorbFooter.LENGTH_FIELD - (int) infoLength;
        final Cursor c = new Cursor(bytes, footerStart, end - XorbFooter.LENGTH_FIELD);
        c.expectIdent(XorbFooter.IDENT, "xorb footer");
        c.expectVersion(XorbFooter.VERSION, "xorb footer");
        final XetHash hash = XetHash.of(bytes, c.take(XetHash.LENGTH));

        final int hashSection = c.pos;
        c.expectIdent(XorbFooter.IDENT_HASHES, "xorb hash section");
        c.expectVersion(XorbFooter.HASHES_VERSION, "xorb hash section");
        final long n = c.u32();
        if (n > (infoLength - XorbFooter.FIXED_LENGTH) / XorbFooter.PER_CHUNK
                || XorbFooter.infoLength((int) n) != infoLength) {
            throw new XetFormatException("xorb footer of " + infoLength + " bytes cannot hold " + n + " chunks");
        }
        final int count = (int) n;
        final int hashesAt = c.take(XetHash.LENGTH * count);
        final byte[] chunkHashes = Arrays.copyOfRange(bytes, hashesAt, hashesAt + XetHash.LENGTH * count);

        final int boundarySection = c.pos;
        c.expectIdent(XorbFooter.IDENT_BOUNDARIES, "xorb boundary section");
        c.expectVersion(XorbFooter.BOUNDARIES_VERSION, "xorb boundary section");
        checkCount(c.u32(), count, "boundary section");
        final int[] chunkStarts = new int[count + 1];
        for (int i = 0; i < count; i++) {
            chunkStarts[i + 1] = checkedInt(c.u32(), "chunk end offset");
        }
        final int[] unpackedEnds = new int[count];
        for (int i = 0; i < count; i++) {
            unpackedEnds[i] = checkedInt(c.u32(), "unpacked chunk end offset");
        }
        checkCount(c.u32(), count, "footer tail");
        final long hashesFromEnd = c.u32();
        final long boundariesFromEnd = c.u32();
        c.take(XorbFooter.RESERVED_LENGTH);
        if (hashesFromEnd != c.limit - hashSection) {
            throw new XetFormatException("xorb hashes_section_offset_from_end is " + hashesFromEnd + ", expected "
                    + (c.limit - hashSection));
        }
        if (boundariesFromEnd != c.limit - boundarySection) {
            throw new XetFormatException("xorb boundary_section_offset_from_end is " + boundariesFromEnd
                    + ", expected " + (c.limit - boundarySection));
        }

        // The chunk area: boundaries must tile [offset, footerStart) exactly, one header per chunk.
        final int chunkArea = footerStart - offset;
        if (count == 0 && chunkArea != 0) {
            throw new XetFormatException("xorb without chunks has " + chunkArea + " bytes before its footer");
        }
        int unpacked = 0;
        for (int i = 0; i < count; i++) {
            final int start = chunkStarts[i];
            final int stop = chunkStarts[i + 1];
            if (stop <= start || stop > chunkArea) {
                throw new XetFormatException("chunk " + i + " ends at " + stop + ", outside (" + start + ", "
                        + chunkArea + "]");
            }
            if (stop - start < ChunkHeader.LENGTH) {
                throw new XetFormatException("chunk " + i + " is " + (stop - start) + " bytes, shorter than its header");
            }
            final int at = offset + start;
            if (ChunkHeader.version(bytes, at) != ChunkHeader.VERSION) {
                throw new XetFormatException("chunk " + i + " has header version " + ChunkHeader.version(bytes, at));
            }
            final CompressionScheme scheme = CompressionScheme.fromId(ChunkHeader.schemeId(bytes, at));
            final int stored = ChunkHeader.compressedLength(bytes, at);
            if (stored != stop - start - ChunkHeader.LENGTH) {
                throw new XetFormatException("chunk " + i + " header says " + stored + " stored bytes, boundaries give "
                        + (stop - start - ChunkHeader.LENGTH));
            }
            final int raw = ChunkHeader.uncompressedLength(bytes, at);
            if (raw > MAX_CHUNK_LENGTH) {
                throw new XetFormatException("chunk " + i + " is " + raw + " bytes uncompressed, over the limit of "
                        + MAX_CHUNK_LENGTH);
            }
            if (scheme == CompressionScheme.NONE && raw != stored) {
                throw new XetFormatException("uncompressed chunk " + i + " stores " + stored + " bytes, header says "
                        + raw);
            }
            unpacked += raw;
            if (unpackedEnds[i] != unpacked) {
                throw new XetFormatException("chunk " + i + " unpacked end is " + unpackedEnds[i] + ", headers give "
                        + unpacked);
            }
        }
        if (count > 0 && chunkStarts[count] != chunkArea) {
            throw new XetFormatException("chunks end at " + chunkStarts[count] + " but the footer starts at "
                    + chunkArea);
        }
        return new Xorb(bytes, offset, hash, chunkStarts, unpackedEnds, chunkHashes);
    }

    private static void checkCount(long value, int count, String where) {
        if (value != count) {
            throw new XetFormatException("xorb " + where + " counts " + value + " chunks, the hash section " + count);
        }
    }

    private static int checkedInt(long value, String what) {
        if (value > MAX_SERIALIZED_BYTES) {
            throw new XetFormatException(what + " " + value + " exceeds the xorb size limit");
        }
        return (int) value;
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }

    /** Bounded reader over the footer: every read is checked against the footer's end. */
    private static final class Cursor {
        final byte[] b;
        final int limit;
        int pos;

        Cursor(byte[] b, int pos, int limit) {
            this.b = b;
            this.pos = pos;
            this.limit = limit;
        }

        int take(int n) {
            if (n > limit - pos) {
                throw new XetFormatException("truncated xorb footer: needs " + n + " more bytes at " + pos
                        + ", has " + (limit - pos));
            }
            final int at = pos;
            pos += n;
            return at;
        }

        long u32() {
            return Xorb.u32(b, take(4));
        }

        void expectIdent(byte[] ident, String where) {
            final int at = take(ident.length);
            if (!Arrays.equals(b, at, at + ident.length, ident, 0, ident.length)) {
                throw new XetFormatException(where + " does not start with " + new String(ident,
                        java.nio.charset.StandardCharsets.US_ASCII));
            }
        }

        void expectVersion(int version, String where) {
            final int got = b[take(1)] & 0xFF;
            if (got != version) {
                throw new XetFormatException("unsupported " + where + " version " + got + " (expected " + version + ")");
            }
        }
    }

    /** The xorb hash recorded in the footer (check it with {@link #verify()}). */
    public XetHash hash() {
        return hash;
    }

    public int chunkCount() {
        return chunkCount;
    }

    /** Serialized length, footer included. */
    public int serializedLength() {
        return chunkStarts[chunkCount] + XorbFooter.infoLength(chunkCount) + XorbFooter.LENGTH_FIELD;
    }

    /** Sum of the chunks' uncompressed lengths. */
    public long uncompressedLength() {
        return chunkCount == 0 ? 0 : unpackedEnds[chunkCount - 1];
    }

    public XetHash chunkHash(int i) {
        return XetHash.of(chunkHashes, XetHash.LENGTH * check(i));
    }

    public int chunkLength(int i) {
        check(i);
        return unpackedEnds[i] - (i == 0 ? 0 : unpackedEnds[i - 1]);
    }

    public CompressionScheme scheme(int i) {
        return CompressionScheme.fromId(ChunkHeader.schemeId(bytes, base + chunkStarts[check(i)]));
    }

    /** Decompresses chunk i into {@code dst} at {@code offset}; returns its length. */
    public int readChunk(int i, byte[] dst, int offset) {
        final int length = chunkLength(i);
        final int at = base + chunkStarts[i];
        ChunkCodec.decompress(scheme(i), bytes, at + ChunkHeader.LENGTH,
                chunkStarts[i + 1] - chunkStarts[i] - ChunkHeader.LENGTH, dst, offset, length);
        return length;
    }

    /** Chunk i's bytes, decompressed. */
    public byte[] chunk(int i) {
        final byte[] out = new byte[chunkLength(i)];
        readChunk(i, out, 0);
        return out;
    }

    /**
     * Decompresses every chunk and checks its hash against the footer, and the footer's xorb hash against
     * the merkle root of the chunk hashes.
     *
     * @throws XetFormatException naming the first chunk or hash that does not match
     */
    public void verify() {
        final byte[] buffer = new byte[MAX_CHUNK_LENGTH];
        final ChunkHashList list = new ChunkHashList(chunkCount);
        for (int i = 0; i < chunkCount; i++) {
            final int length = readChunk(i, buffer, 0);
            final XetHash actual = XetHashes.chunkHash(buffer, 0, length);
            if (!actual.matches(chunkHashes, XetHash.LENGTH * i)) {
                throw new XetFormatException("chunk " + i + " hashes to " + actual + ", footer says " + chunkHash(i));
            }
            list.add(actual, length);
        }
        final XetHash root = XetMerkle.xorbHash(list);
        if (!root.equals(hash)) {
            throw new XetFormatException("xorb chunks hash to " + root + ", footer says " + hash);
        }
    }

    private int check(int i) {
        if (i < 0 || i >= chunkCount) {
            throw new IndexOutOfBoundsException("chunk " + i + " of " + chunkCount);
        }
        return i;
    }

    /** Collects chunks and serializes them as one xorb. Not thread-safe; reusable after {@link #clear()}. */
    public static final class Builder {
        private byte[] buffer = new byte[1 << 16];
        private int size;
        private final ChunkHashList chunks = new ChunkHashList();
        private int[] ends = new int[64];

        /** Number of chunks added. */
        public int chunkCount() {
            return chunks.size();
        }

        /** Serialized length of the xorb so far, footer included. */
        public long serializedLength() {
            return size + (long) XorbFooter.infoLength(chunks.size()) + XorbFooter.LENGTH_FIELD;
        }

        /** True if a chunk of this length is sure to fit under {@link #MAX_SERIALIZED_BYTES}, even stored raw. */
        public boolean fits(int chunkLength) {
            return serializedLength() + ChunkHeader.LENGTH + chunkLength + XorbFooter.PER_CHUNK <= MAX_SERIALIZED_BYTES;
        }

        /**
         * Adds a chunk, compressed with the scheme xet-core would pick (BG4-LZ4 if its byte-position
         * heuristic says so, else LZ4), stored raw if compression does not make it smaller.
         */
        public Builder add(byte[] data, int offset, int length) {
            return add(data, offset, length, ByteGrouping4.recommended(data, offset, length)
                    ? CompressionScheme.BYTE_GROUPING_4_LZ4 : CompressionScheme.LZ4);
        }

        /** Adds a chunk compressed with {@code scheme}, or stored raw if that does not make it smaller. */
        public Builder add(byte[] data, int offset, int length, CompressionScheme scheme) {
            if (length <= 0 || length > MAX_CHUNK_LENGTH) {
                throw new IllegalArgumentException("chunk length must be in [1, " + MAX_CHUNK_LENGTH + "]: " + length);
            }
            if (!fits(length)) {
                throw new IllegalStateException("a chunk of " + length + " bytes would take the xorb over "
                        + MAX_SERIALIZED_BYTES + " bytes (now " + serializedLength() + ")");
            }
            CompressionScheme used = scheme;
            byte[] stored = scheme == CompressionScheme.NONE ? null : ChunkCodec.compress(scheme, data, offset, length);
            int storedOffset = 0;
            if (stored == null || stored.length >= length) {
                used = CompressionScheme.NONE;
                stored = data;
                storedOffset = offset;
            }
            final int storedLength = used == CompressionScheme.NONE ? length : stored.length;
            ensure(size + ChunkHeader.LENGTH + storedLength);
            ChunkHeader.write(buffer, size, storedLength, used, length);
            System.arraycopy(stored, storedOffset, buffer, size + ChunkHeader.LENGTH, storedLength);
            size += ChunkHeader.LENGTH + storedLength;
            if (chunks.size() == ends.length) {
                ends = Arrays.copyOf(ends, ends.length * 2);
            }
            ends[chunks.size()] = size;
            chunks.add(XetHashes.chunkHash(data, offset, length), length);
            return this;
        }

        /** The xorb hash of the chunks added so far. */
        public XetHash hash() {
            return XetMerkle.xorbHash(chunks);
        }

        /** Serializes the chunks and the footer (with an all-zero reserved area). */
        public byte[] build() {
            final int n = chunks.size();
            final byte[] out = Arrays.copyOf(buffer, (int) serializedLength());
            int at = size;
            at = put(out, at, XorbFooter.IDENT);
            out[at++] = XorbFooter.VERSION;
            hash().copyTo(out, at);
            at += XetHash.LENGTH;
            at = put(out, at, XorbFooter.IDENT_HASHES);
            out[at++] = XorbFooter.HASHES_VERSION;
            at = putU32(out, at, n);
            for (int i = 0; i < n; i++) {
                chunks.hash(i).copyTo(out, at);
                at += XetHash.LENGTH;
            }
            at = put(out, at, XorbFooter.IDENT_BOUNDARIES);
            out[at++] = XorbFooter.BOUNDARIES_VERSION;
            at = putU32(out, at, n);
            for (int i = 0; i < n; i++) {
                at = putU32(out, at, ends[i]);
            }
            long unpacked = 0;
            for (int i = 0; i < n; i++) {
                unpacked += chunks.length(i);
                at = putU32(out, at, unpacked);
            }
            at = putU32(out, at, n);
            at = putU32(out, at, XorbFooter.hashSectionFromEnd(n));
            at = putU32(out, at, XorbFooter.boundarySectionFromEnd(n));
            at += XorbFooter.RESERVED_LENGTH;
            at = putU32(out, at, XorbFooter.infoLength(n));
            if (at != out.length) {
                throw new IllegalStateException("xorb footer layout error: wrote " + at + " of " + out.length);
            }
            return out;
        }

        /** Forgets all chunks. */
        public void clear() {
            size = 0;
            chunks.clear();
        }

        private void ensure(int capacity) {
            if (capacity > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(capacity, Math.min(MAX_SERIALIZED_BYTES, buffer.length * 2)));
            }
        }

        private static int put(byte[] out, int at, byte[] src) {
            System.arraycopy(src, 0, out, at, src.length);
            return at + src.length;
        }

        private static int putU32(byte[] out, int at, long value) {
            out[at] = (byte) value;
            out[at + 1] = (byte) (value >>> 8);
            out[at + 2] = (byte) (value >>> 16);
            out[at + 3] = (byte) (value >>> 24);
            return at + 4;
        }
    }
}
