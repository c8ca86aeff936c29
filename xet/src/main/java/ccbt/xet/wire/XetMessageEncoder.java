package ccbt.xet.wire;

import static ccbt.xet.wire.XetWireDescriptor.CHUNK_DATA_LENGTH_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.CHUNK_DATA_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.CHUNK_ERROR;
import static ccbt.xet.wire.XetWireDescriptor.CHUNK_HASH_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.CHUNK_LIST_REQUEST;
import static ccbt.xet.wire.XetWireDescriptor.CHUNK_LIST_REQUEST_LENGTH;
import static ccbt.xet.wire.XetWireDescriptor.CHUNK_LIST_RESPONSE;
import static ccbt.xet.wire.XetWireDescriptor.CHUNK_NOT_FOUND;
import static ccbt.xet.wire.XetWireDescriptor.CHUNK_NOT_FOUND_LENGTH;
import static ccbt.xet.wire.XetWireDescriptor.CHUNK_REQUEST;
import static ccbt.xet.wire.XetWireDescriptor.CHUNK_REQUEST_LENGTH;
import static ccbt.xet.wire.XetWireDescriptor.CHUNK_RESPONSE;
import static ccbt.xet.wire.XetWireDescriptor.ERROR_CODE_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.ERROR_MESSAGE_LENGTH_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.ERROR_MESSAGE_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.FILE_INDEX_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.FRAGMENT_LENGTH_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.FRAGMENT_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.FRAGMENT_OFFSET_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.LIST_LENGTH_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.LIST_REQUEST_OFFSET_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.MAX_CHUNK_LENGTH;
import static ccbt.xet.wire.XetWireDescriptor.MAX_ERROR_MESSAGE_LENGTH;
import static ccbt.xet.wire.XetWireDescriptor.MAX_LIST_FRAGMENT_LENGTH;
import static ccbt.xet.wire.XetWireDescriptor.MAX_LIST_LENGTH;
import static ccbt.xet.wire.XetWireDescriptor.REQUEST_ID_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.TYPE_OFFSET;

import ccbt.xet.hash.XetHash;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes {@code ut_xet} messages (layout in {@link XetWireDescriptor}) in place at an absolute index of a
 * buffer the caller owns (heap or direct; its position, limit and byte order are not used or changed), and
 * returns the number of bytes written. Nothing is allocated except for CHUNK_ERROR's text. Arguments that
 * would make a message the decoder refuses are refused here with an {@link IllegalArgumentException}.
 */
public final class XetMessageEncoder {
    private XetMessageEncoder() {
    }

    /** CHUNK_REQUEST for the chunk with {@code hash}. */
    public static int chunkRequest(final ByteBuffer dst, final int at, final int requestId, final XetHash hash) {
        checkRoom(dst, at, CHUNK_REQUEST_LENGTH);
        header(dst, at, CHUNK_REQUEST, requestId);
        putHash(dst, at + CHUNK_HASH_OFFSET, hash);
        return CHUNK_REQUEST_LENGTH;
    }

    /**
     * The fixed part of a CHUNK_RESPONSE (41 bytes) announcing {@code dataLength} bytes of chunk, for a
     * sender that writes the chunk's bytes separately after it (from a file region, without a copy).
     */
    public static int chunkResponseHeader(final ByteBuffer dst, final int at, final int requestId, final XetHash hash,
                                          final int dataLength) {
        if (dataLength < 1 || dataLength > MAX_CHUNK_LENGTH) {
            throw new IllegalArgumentException("chunk length " + dataLength + " is not in [1, " + MAX_CHUNK_LENGTH + "]");
        }
        checkRoom(dst, at, CHUNK_DATA_OFFSET);
        header(dst, at, CHUNK_RESPONSE, requestId);
        putHash(dst, at + CHUNK_HASH_OFFSET, hash);
        putU32(dst, at + CHUNK_DATA_LENGTH_OFFSET, dataLength);
        return CHUNK_DATA_OFFSET;
    }

    /** A whole CHUNK_RESPONSE: the header, then {@code data[dataOffset, dataOffset + dataLength)} copied. */
    public static int chunkResponse(final ByteBuffer dst, final int at, final int requestId, final XetHash hash,
                                    final ByteBuffer data, final int dataOffset, final int dataLength) {
        checkRoom(dst, at, CHUNK_DATA_OFFSET + (long) dataLength);
        chunkResponseHeader(dst, at, requestId, hash, dataLength);
        dst.put(at + CHUNK_DATA_OFFSET, data, dataOffset, dataLength);
        return CHUNK_DATA_OFFSET + dataLength;
    }

    /** CHUNK_NOT_FOUND: we do not have what request {@code requestId} asked for. */
    public static int chunkNotFound(final ByteBuffer dst, final int at, final int requestId) {
        checkRoom(dst, at, CHUNK_NOT_FOUND_LENGTH);
        header(dst, at, CHUNK_NOT_FOUND, requestId);
        return CHUNK_NOT_FOUND_LENGTH;
    }

    /**
     * CHUNK_ERROR with {@code code} (u16, see {@link XetWireDescriptor#ERROR_BUSY} and the others) and a
     * short text, cut to 1024 UTF-8 bytes (at a character boundary).
     */
    public static int chunkError(final ByteBuffer dst, final int at, final int requestId, final int code,
                                 final String message) {
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("error code " + code + " is not a u16");
        }
        final byte[] text = truncatedUtf8(message, MAX_ERROR_MESSAGE_LENGTH);
        checkRoom(dst, at, ERROR_MESSAGE_OFFSET + text.length);
        header(dst, at, CHUNK_ERROR, requestId);
        putU16(dst, at + ERROR_CODE_OFFSET, code);
        putU16(dst, at + ERROR_MESSAGE_LENGTH_OFFSET, text.length);
        dst.put(at + ERROR_MESSAGE_OFFSET, text);
        return ERROR_MESSAGE_OFFSET + text.length;
    }

    /** CHUNK_LIST_REQUEST for file {@code fileIndex}'s chunk list from byte {@code listOffset} on (0 at first). */
    public static int chunkListRequest(final ByteBuffer dst, final int at, final int requestId, final int fileIndex,
                                       final int listOffset) {
        if (fileIndex < 0 || listOffset < 0) {
            throw new IllegalArgumentException("file index " + fileIndex + " and list offset " + listOffset
                    + " must not be negative");
        }
        checkRoom(dst, at, CHUNK_LIST_REQUEST_LENGTH);
        header(dst, at, CHUNK_LIST_REQUEST, requestId);
        putU32(dst, at + FILE_INDEX_OFFSET, fileIndex);
        putU32(dst, at + LIST_REQUEST_OFFSET_OFFSET, listOffset);
        return CHUNK_LIST_REQUEST_LENGTH;
    }

    /**
     * The fragment of a serialized chunk list that answers a request for {@code listOffset}: as much as fits
     * in one message ({@link XetWireDescriptor#MAX_LIST_FRAGMENT_LENGTH}), or 0 if the offset is at or past
     * the end (the request is bad then).
     */
    public static int fragmentLength(final int listLength, final int listOffset) {
        if (listOffset < 0 || listOffset >= listLength) {
            return 0;
        }
        return Math.min(MAX_LIST_FRAGMENT_LENGTH, listLength - listOffset);
    }

    /**
     * CHUNK_LIST_RESPONSE carrying {@code list[fragmentOffset, fragmentOffset + fragmentLength)} of the
     * serialized chunk list {@code list} of file {@code fileIndex}.
     */
    public static int chunkListResponse(final ByteBuffer dst, final int at, final int requestId, final int fileIndex,
                                        final byte[] list, final int fragmentOffset, final int fragmentLength) {
        if (list.length > MAX_LIST_LENGTH) {
            throw new IllegalArgumentException("chunk list of " + list.length + " bytes exceeds " + MAX_LIST_LENGTH);
        }
        if (fileIndex < 0 || fragmentOffset < 0 || fragmentLength < 1 || fragmentLength > MAX_LIST_FRAGMENT_LENGTH
                || fragmentOffset > list.length - fragmentLength) {
            throw new IllegalArgumentException("bad chunk list fragment: file " + fileIndex + " offset "
                    + fragmentOffset + " length " + fragmentLength + " of a " + list.length + "-byte list");
        }
        checkRoom(dst, at, FRAGMENT_OFFSET + fragmentLength);
        header(dst, at, CHUNK_LIST_RESPONSE, requestId);
        putU32(dst, at + FILE_INDEX_OFFSET, fileIndex);
        putU32(dst, at + LIST_LENGTH_OFFSET, list.length);
        putU32(dst, at + FRAGMENT_OFFSET_OFFSET, fragmentOffset);
        putU32(dst, at + FRAGMENT_LENGTH_OFFSET, fragmentLength);
        dst.put(at + FRAGMENT_OFFSET, list, fragmentOffset, fragmentLength);
        return FRAGMENT_OFFSET + fragmentLength;
    }

    private static void header(final ByteBuffer dst, final int at, final int type, final int requestId) {
        dst.put(at + TYPE_OFFSET, (byte) type);
        putU32(dst, at + REQUEST_ID_OFFSET, requestId);
    }

    private static void putHash(final ByteBuffer dst, final int at, final XetHash hash) {
        for (int i = 0; i < XetHash.LENGTH; i++) {
            dst.put(at + i, hash.byteAt(i));
        }
    }

    private static void checkRoom(final ByteBuffer dst, final int at, final long length) {
        if (at < 0 || at + length > dst.limit()) {
            throw new IndexOutOfBoundsException("message of " + length + " bytes at " + at + " does not fit in "
                    + dst.limit());
        }
    }

    static byte[] truncatedUtf8(final String s, final int max) {
        final byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= max) {
            return utf8;
        }
        int end = max;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
            end--; // do not cut a multi-byte character
        }
        return Arrays.copyOf(utf8, end);
    }

    private static void putU32(final ByteBuffer b, final int at, final int v) {
        b.putInt(at, b.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v));
    }

    private static void putU16(final ByteBuffer b, final int at, final int v) {
        final short s = (short) v;
        b.putShort(at, b.order() == ByteOrder.BIG_ENDIAN ? s : Short.reverseBytes(s));
    }
}
