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
import static ccbt.xet.wire.XetWireDescriptor.HEADER_LENGTH;
import static ccbt.xet.wire.XetWireDescriptor.LIST_LENGTH_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.LIST_REQUEST_OFFSET_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.MAX_CHUNK_LENGTH;
import static ccbt.xet.wire.XetWireDescriptor.MAX_ERROR_MESSAGE_LENGTH;
import static ccbt.xet.wire.XetWireDescriptor.MAX_LIST_FRAGMENT_LENGTH;
import static ccbt.xet.wire.XetWireDescriptor.MAX_LIST_LENGTH;
import static ccbt.xet.wire.XetWireDescriptor.REQUEST_ID_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.TYPE_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.typeName;

import ccbt.xet.hash.XetHash;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A reusable flyweight over one received {@code ut_xet} message (layout in {@link XetWireDescriptor}).
 * {@link #wrap} checks the whole message (type, exact length, every limit) before any accessor is used, and
 * allocates nothing; the accessors read the wrapped buffer in place (absolute indexes: the buffer's
 * position, limit and byte order are not used or changed), so they are valid only until the buffer is
 * released or reused. Not thread-safe: one per connection.
 */
public final class XetMessageDecoder {
    private ByteBuffer buffer;
    private int offset;
    private int length;
    private int type;

    /**
     * Wraps {@code buffer[offset, offset + length)} (absolute indexes below the buffer's limit), the payload
     * after the extended message id.
     *
     * @return this, for chaining
     * @throws XetWireException if the message is empty, truncated, too long, of an unknown type, or any of
     *     its length fields is over its limit (the message names the value)
     */
    public XetMessageDecoder wrap(final ByteBuffer buffer, final int offset, final int length) {
        if (offset < 0 || length < 0 || offset > buffer.limit() - length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of " + buffer.limit());
        }
        this.buffer = null; // not readable unless every check passes
        if (length < HEADER_LENGTH) {
            throw new XetWireException("truncated ut_xet message: " + length + " bytes, the header takes "
                    + HEADER_LENGTH);
        }
        final int t = buffer.get(offset + TYPE_OFFSET) & 0xFF;
        final long expected = switch (t) {
            case CHUNK_REQUEST -> CHUNK_REQUEST_LENGTH;
            case CHUNK_RESPONSE -> chunkResponseLength(buffer, offset, length);
            case CHUNK_NOT_FOUND -> CHUNK_NOT_FOUND_LENGTH;
            case CHUNK_ERROR -> chunkErrorLength(buffer, offset, length);
            case CHUNK_LIST_REQUEST -> CHUNK_LIST_REQUEST_LENGTH;
            case CHUNK_LIST_RESPONSE -> chunkListResponseLength(buffer, offset, length);
            default -> throw new XetWireException("unknown ut_xet message type " + t + " (" + length + " bytes)");
        };
        if (length != expected) {
            throw new XetWireException((length < expected ? "truncated " : "overlong ") + typeName(t) + ": "
                    + length + " bytes, its fields take " + expected);
        }
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.type = t;
        return this;
    }

    private static long chunkResponseLength(final ByteBuffer b, final int offset, final int length) {
        requireField(length, CHUNK_DATA_OFFSET, CHUNK_RESPONSE);
        final long n = u32(b, offset + CHUNK_DATA_LENGTH_OFFSET);
        if (n < 1 || n > MAX_CHUNK_LENGTH) {
            throw new XetWireException("CHUNK_RESPONSE chunk length " + n + " is not in [1, " + MAX_CHUNK_LENGTH
                    + "]");
        }
        return CHUNK_DATA_OFFSET + n;
    }

    private static long chunkErrorLength(final ByteBuffer b, final int offset, final int length) {
        requireField(length, ERROR_MESSAGE_OFFSET, CHUNK_ERROR);
        final int m = u16(b, offset + ERROR_MESSAGE_LENGTH_OFFSET);
        if (m > MAX_ERROR_MESSAGE_LENGTH) {
            throw new XetWireException("CHUNK_ERROR message length " + m + " exceeds " + MAX_ERROR_MESSAGE_LENGTH);
        }
        return ERROR_MESSAGE_OFFSET + m;
    }

    private static long chunkListResponseLength(final ByteBuffer b, final int offset, final int length) {
        requireField(length, FRAGMENT_OFFSET, CHUNK_LIST_RESPONSE);
        final long total = u32(b, offset + LIST_LENGTH_OFFSET);
        final long at = u32(b, offset + FRAGMENT_OFFSET_OFFSET);
        final long f = u32(b, offset + FRAGMENT_LENGTH_OFFSET);
        if (total > MAX_LIST_LENGTH) {
            throw new XetWireException("CHUNK_LIST_RESPONSE list length " + total + " exceeds " + MAX_LIST_LENGTH);
        }
        if (f < 1 || f > MAX_LIST_FRAGMENT_LENGTH) {
            throw new XetWireException("CHUNK_LIST_RESPONSE fragment length " + f + " is not in [1, "
                    + MAX_LIST_FRAGMENT_LENGTH + "]");
        }
        if (at + f > total) {
            throw new XetWireException("CHUNK_LIST_RESPONSE fragment [" + at + ", " + (at + f)
                    + ") runs past the list length " + total);
        }
        return FRAGMENT_OFFSET + f;
    }

    private static void requireField(final int length, final int fieldsEnd, final int type) {
        if (length < fieldsEnd) {
            throw new XetWireException("truncated " + typeName(type) + ": " + length + " bytes, its fixed fields take "
                    + fieldsEnd);
        }
    }

    /** The message type, one of the constants of {@link XetWireDescriptor}. */
    public int type() {
        check();
        return type;
    }

    /** The request id (u32 on the wire, as the same 32 bits here). */
    public int requestId() {
        check();
        return (int) u32(buffer, offset + REQUEST_ID_OFFSET);
    }

    /** Length of the wrapped message. */
    public int length() {
        check();
        return length;
    }

    /** CHUNK_REQUEST, CHUNK_RESPONSE: whether the chunk hash equals {@code hash}; allocates nothing. */
    public boolean chunkHashEquals(final XetHash hash) {
        expect(CHUNK_REQUEST, CHUNK_RESPONSE);
        final int at = offset + CHUNK_HASH_OFFSET;
        for (int i = 0; i < XetHash.LENGTH; i++) {
            if (buffer.get(at + i) != hash.byteAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** CHUNK_REQUEST, CHUNK_RESPONSE: the chunk hash (a new object; see {@link #chunkHashEquals}). */
    public XetHash chunkHash() {
        expect(CHUNK_REQUEST, CHUNK_RESPONSE);
        final byte[] out = new byte[XetHash.LENGTH];
        buffer.get(offset + CHUNK_HASH_OFFSET, out);
        return XetHash.of(out);
    }

    /** CHUNK_RESPONSE: absolute index of the chunk's first byte in the wrapped buffer. */
    public int chunkDataOffset() {
        expect(CHUNK_RESPONSE);
        return offset + CHUNK_DATA_OFFSET;
    }

    /** CHUNK_RESPONSE: the chunk's length, 1..128 KiB. */
    public int chunkDataLength() {
        expect(CHUNK_RESPONSE);
        return (int) u32(buffer, offset + CHUNK_DATA_LENGTH_OFFSET);
    }

    /** CHUNK_RESPONSE: the chunk's bytes as a slice of the wrapped buffer (shares its content, no copy). */
    public ByteBuffer chunkData() {
        return buffer.slice(chunkDataOffset(), chunkDataLength());
    }

    /** CHUNK_ERROR: the error code (u16), e.g. {@link XetWireDescriptor#ERROR_BUSY}. */
    public int errorCode() {
        expect(CHUNK_ERROR);
        return u16(buffer, offset + ERROR_CODE_OFFSET);
    }

    /** CHUNK_ERROR: the peer's text, decoded as UTF-8 (malformed bytes replaced): for logs only. */
    public String errorMessage() {
        expect(CHUNK_ERROR);
        final byte[] text = new byte[u16(buffer, offset + ERROR_MESSAGE_LENGTH_OFFSET)];
        buffer.get(offset + ERROR_MESSAGE_OFFSET, text);
        return new String(text, StandardCharsets.UTF_8);
    }

    /** CHUNK_LIST_REQUEST, CHUNK_LIST_RESPONSE: the file index (u32; above {@code Integer.MAX_VALUE} reads as -1). */
    public int fileIndex() {
        expect(CHUNK_LIST_REQUEST, CHUNK_LIST_RESPONSE);
        return clamp(u32(buffer, offset + FILE_INDEX_OFFSET));
    }

    /** CHUNK_LIST_REQUEST: the byte offset into the serialized list asked for (above int range reads as -1). */
    public int listRequestOffset() {
        expect(CHUNK_LIST_REQUEST);
        return clamp(u32(buffer, offset + LIST_REQUEST_OFFSET_OFFSET));
    }

    /** CHUNK_LIST_RESPONSE: the length of the whole serialized list, at most {@link XetWireDescriptor#MAX_LIST_LENGTH}. */
    public int listLength() {
        expect(CHUNK_LIST_RESPONSE);
        return (int) u32(buffer, offset + LIST_LENGTH_OFFSET);
    }

    /** CHUNK_LIST_RESPONSE: where this fragment starts in the serialized list. */
    public int fragmentOffset() {
        expect(CHUNK_LIST_RESPONSE);
        return (int) u32(buffer, offset + FRAGMENT_OFFSET_OFFSET);
    }

    /** CHUNK_LIST_RESPONSE: the fragment's length, 1..512 KiB. */
    public int fragmentLength() {
        expect(CHUNK_LIST_RESPONSE);
        return (int) u32(buffer, offset + FRAGMENT_LENGTH_OFFSET);
    }

    /** CHUNK_LIST_RESPONSE: absolute index of the fragment's first byte in the wrapped buffer. */
    public int fragmentDataOffset() {
        expect(CHUNK_LIST_RESPONSE);
        return offset + FRAGMENT_OFFSET;
    }

    /** The wrapped buffer (for reading a chunk or fragment at the offsets above). */
    public ByteBuffer buffer() {
        check();
        return buffer;
    }

    @Override
    public String toString() {
        return buffer == null ? "XetMessageDecoder[unwrapped]"
                : typeName(type) + "[id=" + Integer.toUnsignedString(requestId()) + ", " + length + " bytes]";
    }

    private void check() {
        if (buffer == null) {
            throw new IllegalStateException("no valid message wrapped");
        }
    }

    private void expect(final int t) {
        check();
        if (type != t) {
            throw new IllegalStateException(typeName(type) + " has no such field (only " + typeName(t) + ")");
        }
    }

    private void expect(final int a, final int b) {
        check();
        if (type != a && type != b) {
            throw new IllegalStateException(typeName(type) + " has no such field (only " + typeName(a) + ", "
                    + typeName(b) + ")");
        }
    }

    private static int clamp(final long u32) {
        return u32 > Integer.MAX_VALUE ? -1 : (int) u32;
    }

    /** Big-endian u32 whatever the buffer's byte order. */
    static long u32(final ByteBuffer b, final int at) {
        final int v = b.getInt(at);
        return Integer.toUnsignedLong(b.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v));
    }

    static int u16(final ByteBuffer b, final int at) {
        final short v = b.getShort(at);
        return (b.order() == ByteOrder.BIG_ENDIAN ? v : Short.reverseBytes(v)) & 0xFFFF;
    }
}
