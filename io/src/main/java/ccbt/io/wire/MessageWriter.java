package ccbt.io.wire;

import io.netty.buffer.ByteBuf;

import static ccbt.io.wire.WireFormat.BITFIELD;
import static ccbt.io.wire.WireFormat.BLOCK_REF_LENGTH;
import static ccbt.io.wire.WireFormat.EXTENDED;
import static ccbt.io.wire.WireFormat.ID_ONLY_LENGTH;
import static ccbt.io.wire.WireFormat.INDEX_LENGTH;
import static ccbt.io.wire.WireFormat.PIECE;
import static ccbt.io.wire.WireFormat.PIECE_HEADER_LENGTH;
import static ccbt.io.wire.WireFormat.PORT;
import static ccbt.io.wire.WireFormat.PORT_LENGTH;

/**
 * Encodes peer messages straight into a caller's buffer. Each method returns the number of bytes
 * written (length prefix included). Stateless.
 */
public final class MessageWriter {
    /** Bytes of the largest fixed-size message (request, cancel, reject) with its prefix. */
    public static final int MAX_FIXED = WireFormat.LENGTH_PREFIX + BLOCK_REF_LENGTH;
    /** Bytes of a piece message's header: prefix, id, piece, offset. */
    public static final int PIECE_HEADER = WireFormat.LENGTH_PREFIX + PIECE_HEADER_LENGTH;

    private MessageWriter() {
    }

    /** A keep-alive: a zero length prefix. */
    public static int keepAlive(final ByteBuf out) {
        out.writeInt(0);
        return WireFormat.LENGTH_PREFIX;
    }

    /** An id-only message: choke, unchoke, interested, not interested, have all, have none. */
    public static int idOnly(final ByteBuf out, final byte id) {
        out.writeInt(ID_ONLY_LENGTH);
        out.writeByte(id);
        return WireFormat.LENGTH_PREFIX + ID_ONLY_LENGTH;
    }

    /** A message with one piece index: have, suggest, allowed fast. */
    public static int index(final ByteBuf out, final byte id, final int piece) {
        out.writeInt(INDEX_LENGTH);
        out.writeByte(id);
        out.writeInt(piece);
        return WireFormat.LENGTH_PREFIX + INDEX_LENGTH;
    }

    /** A block reference: request, cancel, reject. */
    public static int blockRef(final ByteBuf out, final byte id, final int piece, final int offset, final int length) {
        out.writeInt(BLOCK_REF_LENGTH);
        out.writeByte(id);
        out.writeInt(piece);
        out.writeInt(offset);
        out.writeInt(length);
        return MAX_FIXED;
    }

    /** The header of a piece message whose {@code blockLength} bytes follow separately. */
    public static int pieceHeader(final ByteBuf out, final int piece, final int offset, final int blockLength) {
        out.writeInt(PIECE_HEADER_LENGTH + blockLength);
        out.writeByte(PIECE);
        out.writeInt(piece);
        out.writeInt(offset);
        return PIECE_HEADER;
    }

    /** A bitfield. */
    public static int bitfield(final ByteBuf out, final byte[] bits) {
        out.writeInt(1 + bits.length);
        out.writeByte(BITFIELD);
        out.writeBytes(bits);
        return WireFormat.LENGTH_PREFIX + 1 + bits.length;
    }

    /** A port message (BEP 5). */
    public static int port(final ByteBuf out, final int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        out.writeInt(PORT_LENGTH);
        out.writeByte(PORT);
        out.writeShort(port);
        return WireFormat.LENGTH_PREFIX + PORT_LENGTH;
    }

    /** The header of an extended message whose {@code payloadLength} bytes follow separately. */
    public static int extendedHeader(final ByteBuf out, final int extendedId, final int payloadLength) {
        if (extendedId < 0 || extendedId > 0xff) {
            throw new IllegalArgumentException("extended message id out of range: " + extendedId);
        }
        out.writeInt(2 + payloadLength);
        out.writeByte(EXTENDED);
        out.writeByte(extendedId);
        return WireFormat.LENGTH_PREFIX + 2;
    }
}
