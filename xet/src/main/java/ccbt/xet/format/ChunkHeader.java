package ccbt.xet.format;

/**
 * Layout of the 8-byte header in front of each chunk of a xorb (Xet spec, docs/xet/xorb.md in
 * huggingface/hub-docs; xet-core cas_object/src/cas_chunk_format.rs):
 *
 * <pre>
 * 0  version (u8, 0)
 * 1  compressed length (u24, little-endian): bytes of chunk data after the header
 * 4  compression scheme (u8, see {@link CompressionScheme})
 * 5  uncompressed length (u24, little-endian)
 * </pre>
 */
public final class ChunkHeader {
    public static final int LENGTH = 8;
    public static final int VERSION_OFFSET = 0;
    public static final int COMPRESSED_LENGTH_OFFSET = 1;
    public static final int SCHEME_OFFSET = 4;
    public static final int UNCOMPRESSED_LENGTH_OFFSET = 5;
    /** The only chunk header version defined. */
    public static final int VERSION = 0;
    /** Largest value of a 3-byte length field. */
    public static final int MAX_LENGTH_FIELD = 0xFF_FFFF;

    private ChunkHeader() {
    }

    /** Writes a header at {@code dst[offset, offset + 8)}. */
    public static void write(byte[] dst, int offset, int compressedLength, CompressionScheme scheme,
            int uncompressedLength) {
        if (compressedLength < 0 || compressedLength > MAX_LENGTH_FIELD) {
            throw new IllegalArgumentException("compressed chunk length out of range: " + compressedLength);
        }
        if (uncompressedLength < 0 || uncompressedLength > MAX_LENGTH_FIELD) {
            throw new IllegalArgumentException("uncompressed chunk length out of range: " + uncompressedLength);
        }
        dst[offset + VERSION_OFFSET] = VERSION;
        putU24(dst, offset + COMPRESSED_LENGTH_OFFSET, compressedLength);
        dst[offset + SCHEME_OFFSET] = (byte) scheme.id();
        putU24(dst, offset + UNCOMPRESSED_LENGTH_OFFSET, uncompressedLength);
    }

    public static int version(byte[] src, int offset) {
        return src[offset + VERSION_OFFSET] & 0xFF;
    }

    public static int compressedLength(byte[] src, int offset) {
        return getU24(src, offset + COMPRESSED_LENGTH_OFFSET);
    }

    /** The raw scheme byte (validate with {@link CompressionScheme#fromId}). */
    public static int schemeId(byte[] src, int offset) {
        return src[offset + SCHEME_OFFSET] & 0xFF;
    }

    public static int uncompressedLength(byte[] src, int offset) {
        return getU24(src, offset + UNCOMPRESSED_LENGTH_OFFSET);
    }

    private static void putU24(byte[] dst, int at, int value) {
        dst[at] = (byte) value;
        dst[at + 1] = (byte) (value >>> 8);
        dst[at + 2] = (byte) (value >>> 16);
    }

    private static int getU24(byte[] src, int at) {
        return (src[at] & 0xFF) | (src[at + 1] & 0xFF) << 8 | (src[at + 2] & 0xFF) << 16;
    }
}
