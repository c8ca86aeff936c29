package ccbt.xet.wire;

import ccbt.xet.chunk.GearHashChunker;
import ccbt.xet.format.ChunkList;
import ccbt.xet.hash.XetHash;

/**
 * The binary layout of {@code ut_xet} messages: the payload of a BEP 10 extended message (the bytes after
 * the extended message id) whose id the peer assigned to {@value #EXTENSION_NAME} in its extension
 * handshake. All integers are unsigned big-endian (network order, as in the rest of BitTorrent); hashes are
 * 32 raw bytes. Every message starts with the same 5-byte header; the body depends on the type:
 *
 * <pre>
 * header               0  type (u8)             1  request id (u32)
 * CHUNK_REQUEST        5  chunk hash [32]                                                       = 37 bytes
 * CHUNK_RESPONSE       5  chunk hash [32]       37 data length n (u32)   41 data [n]           = 41 + n, 1 &lt;= n &lt;= 128 KiB
 * CHUNK_NOT_FOUND      (header only)                                                            = 5 bytes
 * CHUNK_ERROR          5  code (u16)            7  message length m (u16) 9 UTF-8 message [m]   = 9 + m, m &lt;= 1024
 * CHUNK_LIST_REQUEST   5  file index (u32)      9  list offset (u32)                            = 13 bytes
 * CHUNK_LIST_RESPONSE  5  file index (u32)      9  list length (u32)     13 fragment offset (u32)
 *                      17 fragment length f (u32)                        21 fragment [f]       = 21 + f, 1 &lt;= f &lt;= 512 KiB
 * </pre>
 *
 * A message's length must equal exactly what its fields say: trailing bytes are as wrong as missing ones.
 * A chunk list (the serialized {@link ChunkList}) travels in fragments so that a list of any size fits in
 * the extended-message limit of the wire codec: the request names the byte offset it wants, the response
 * carries the whole list's length, the fragment's offset and the fragment. See docs/xet.md.
 */
public final class XetWireDescriptor {
    private XetWireDescriptor() {
    }

    /** The BEP 10 extension name in the {@code m} dictionary of the extension handshake. */
    public static final String EXTENSION_NAME = "ut_xet";

    /** Asks for the bytes of the chunk with this hash. */
    public static final int CHUNK_REQUEST = 1;
    /** The bytes of a requested chunk. */
    public static final int CHUNK_RESPONSE = 2;
    /** The peer does not have the requested chunk (or chunk list). */
    public static final int CHUNK_NOT_FOUND = 3;
    /** The peer could not serve a request; a code and a short text say why. */
    public static final int CHUNK_ERROR = 4;
    /** Asks for (a fragment of) the chunk list of one file of the torrent. */
    public static final int CHUNK_LIST_REQUEST = 5;
    /** A fragment of a file's serialized chunk list. */
    public static final int CHUNK_LIST_RESPONSE = 6;

    public static final int TYPE_OFFSET = 0;
    public static final int REQUEST_ID_OFFSET = 1;
    public static final int HEADER_LENGTH = 5;

    public static final int CHUNK_HASH_OFFSET = HEADER_LENGTH;
    public static final int CHUNK_REQUEST_LENGTH = CHUNK_HASH_OFFSET + XetHash.LENGTH;
    public static final int CHUNK_DATA_LENGTH_OFFSET = CHUNK_HASH_OFFSET + XetHash.LENGTH;
    public static final int CHUNK_DATA_OFFSET = CHUNK_DATA_LENGTH_OFFSET + 4;

    public static final int CHUNK_NOT_FOUND_LENGTH = HEADER_LENGTH;

    public static final int ERROR_CODE_OFFSET = HEADER_LENGTH;
    public static final int ERROR_MESSAGE_LENGTH_OFFSET = ERROR_CODE_OFFSET + 2;
    public static final int ERROR_MESSAGE_OFFSET = ERROR_MESSAGE_LENGTH_OFFSET + 2;

    public static final int FILE_INDEX_OFFSET = HEADER_LENGTH;
    public static final int LIST_REQUEST_OFFSET_OFFSET = FILE_INDEX_OFFSET + 4;
    public static final int CHUNK_LIST_REQUEST_LENGTH = LIST_REQUEST_OFFSET_OFFSET + 4;
    public static final int LIST_LENGTH_OFFSET = FILE_INDEX_OFFSET + 4;
    public static final int FRAGMENT_OFFSET_OFFSET = LIST_LENGTH_OFFSET + 4;
    public static final int FRAGMENT_LENGTH_OFFSET = FRAGMENT_OFFSET_OFFSET + 4;
    public static final int FRAGMENT_OFFSET = FRAGMENT_LENGTH_OFFSET + 4;

    /** Largest chunk a CHUNK_RESPONSE may carry: the chunker's maximum chunk, 128 KiB. */
    public static final int MAX_CHUNK_LENGTH = ChunkList.MAX_CHUNK_LENGTH;
    /** Longest CHUNK_ERROR text in bytes. */
    public static final int MAX_ERROR_MESSAGE_LENGTH = 1024;
    /**
     * Largest chunk-list fragment: 512 KiB, so that a CHUNK_LIST_RESPONSE stays well inside the 1 MiB
     * extended messages the wire codec accepts by default.
     */
    public static final int MAX_LIST_FRAGMENT_LENGTH = 512 * 1024;
    /**
     * Largest chunk list anyone may announce: 256 MiB (about 7.4 million chunks, some 480 GiB of data at the
     * 64 KiB average). A receiver also bounds it by the file's length, see {@link #maxChunkListLength(long)}.
     */
    public static final int MAX_LIST_LENGTH = 256 * 1024 * 1024;
    /** Largest message of any type, header included. */
    public static final int MAX_MESSAGE_LENGTH = FRAGMENT_OFFSET + MAX_LIST_FRAGMENT_LENGTH;

    /** Error code: the peer has too many of our requests outstanding; retry later. */
    public static final int ERROR_BUSY = 1;
    /** Error code: the request names something that does not exist (file index out of range, ...). */
    public static final int ERROR_BAD_REQUEST = 2;
    /** Error code: the torrent has no Xet metadata on the peer's side. */
    public static final int ERROR_NOT_XET = 3;
    /** Error code: the peer failed to read what it has (disk error). */
    public static final int ERROR_INTERNAL = 4;

    /** Length of a CHUNK_RESPONSE carrying {@code dataLength} bytes. */
    public static int chunkResponseLength(int dataLength) {
        return CHUNK_DATA_OFFSET + dataLength;
    }

    /** Length of a CHUNK_ERROR whose text is {@code messageLength} UTF-8 bytes. */
    public static int chunkErrorLength(int messageLength) {
        return ERROR_MESSAGE_OFFSET + messageLength;
    }

    /** Length of a CHUNK_LIST_RESPONSE carrying a fragment of {@code fragmentLength} bytes. */
    public static int chunkListResponseLength(int fragmentLength) {
        return FRAGMENT_OFFSET + fragmentLength;
    }

    /**
     * The longest serialized chunk list a file of {@code fileLength} bytes can have: every chunk but the last
     * is at least the chunker's minimum (8 KiB), so there are at most {@code fileLength / 8 KiB + 1} entries.
     * A peer announcing a longer list is lying, and is refused before anything is allocated.
     */
    public static long maxChunkListLength(long fileLength) {
        if (fileLength < 0) {
            throw new IllegalArgumentException("file length must not be negative: " + fileLength);
        }
        final long minChunk = GearHashChunker.DEFAULT_TARGET / GearHashChunker.MINIMUM_CHUNK_DIVISOR;
        return ChunkList.serializedLength(fileLength / minChunk + 1);
    }

    /** The name of a message type, for messages and logs. */
    public static String typeName(int type) {
        return switch (type) {
            case CHUNK_REQUEST -> "CHUNK_REQUEST";
            case CHUNK_RESPONSE -> "CHUNK_RESPONSE";
            case CHUNK_NOT_FOUND -> "CHUNK_NOT_FOUND";
            case CHUNK_ERROR -> "CHUNK_ERROR";
            case CHUNK_LIST_REQUEST -> "CHUNK_LIST_REQUEST";
            case CHUNK_LIST_RESPONSE -> "CHUNK_LIST_RESPONSE";
            default -> "unknown type " + type;
        };
    }
}
