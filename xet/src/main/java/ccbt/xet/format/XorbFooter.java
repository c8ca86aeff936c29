package ccbt.xet.format;

import java.nio.charset.StandardCharsets;

/**
 * Layout of a xorb's metadata footer ({@code CasObjectInfoV1} in xet-core
 * cas_object/src/cas_object_format.rs; docs/xet/xorb.md in huggingface/hub-docs). All integers are
 * little-endian u32; n is the number of chunks.
 *
 * <pre>
 * "XETBLOB" version=1 xorb_hash[32]
 * "XBLBHSH" hashes_version=0 n chunk_hash[32] * n                       (hash section)
 * "XBLBBND" boundaries_version=1 n chunk_end[n] unpacked_end[n]         (boundary section)
 * n hashes_section_offset_from_end boundary_section_offset_from_end reserved[16]
 * info_length                                                          (not counted in itself)
 * </pre>
 * {@code chunk_end[i]} is where chunk i (header included) ends in the xorb; {@code unpacked_end[i]} is
 * where it ends in the concatenated uncompressed chunks. The two offsets-from-end count from the start
 * of their section to the end of the reserved bytes. The first 4 reserved bytes may hold an upload nonce,
 * which readers ignore.
 */
public final class XorbFooter {
    static final byte[] IDENT = "XETBLOB".getBytes(StandardCharsets.US_ASCII);
    static final byte[] IDENT_HASHES = "XBLBHSH".getBytes(StandardCharsets.US_ASCII);
    static final byte[] IDENT_BOUNDARIES = "XBLBBND".getBytes(StandardCharsets.US_ASCII);
    static final int IDENT_LENGTH = 7;
    static final int VERSION = 1;
    static final int HASHES_VERSION = 0;
    static final int BOUNDARIES_VERSION = 1;
    static final int RESERVED_LENGTH = 16;
    /** Bytes of the info block per chunk: a hash and two offsets. */
    static final int PER_CHUNK = 32 + 4 + 4;
    /** Bytes of the info block with no chunk (xet-core's CAS_OBJECT_INFO_DEFAULT_LENGTH). */
    static final int FIXED_LENGTH = 92;
    /** The trailing info_length field. */
    static final int LENGTH_FIELD = 4;

    private XorbFooter() {
    }

    /** Length of the info block (without the trailing length field) for {@code chunks} chunks. */
    public static int infoLength(int chunks) {
        return FIXED_LENGTH + PER_CHUNK * chunks;
    }

    static int boundarySectionFromEnd(int chunks) {
        return IDENT_LENGTH + 1 + 4 + 8 * chunks + 4 + 4 + 4 + RESERVED_LENGTH;
    }

    static int hashSectionFromEnd(int chunks) {
        return IDENT_LENGTH + 1 + 4 + 32 * chunks + boundarySectionFromEnd(chunks);
    }
}
