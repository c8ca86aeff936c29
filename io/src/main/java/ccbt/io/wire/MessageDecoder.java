package ccbt.io.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import static ccbt.io.wire.WireFormat.ALLOWED_FAST;
import static ccbt.io.wire.WireFormat.BITFIELD;
import static ccbt.io.wire.WireFormat.BLOCK_REF_LENGTH;
import static ccbt.io.wire.WireFormat.CANCEL;
import static ccbt.io.wire.WireFormat.CHOKE;
import static ccbt.io.wire.WireFormat.EXTENDED;
import static ccbt.io.wire.WireFormat.HAVE;
import static ccbt.io.wire.WireFormat.HAVE_ALL;
import static ccbt.io.wire.WireFormat.HAVE_NONE;
import static ccbt.io.wire.WireFormat.ID_ONLY_LENGTH;
import static ccbt.io.wire.WireFormat.INDEX_LENGTH;
import static ccbt.io.wire.WireFormat.INTERESTED;
import static ccbt.io.wire.WireFormat.LENGTH_PREFIX;
import static ccbt.io.wire.WireFormat.NOT_INTERESTED;
import static ccbt.io.wire.WireFormat.PIECE;
import static ccbt.io.wire.WireFormat.PIECE_HEADER_LENGTH;
import static ccbt.io.wire.WireFormat.PORT;
import static ccbt.io.wire.WireFormat.PORT_LENGTH;
import static ccbt.io.wire.WireFormat.REJECT;
import static ccbt.io.wire.WireFormat.REQUEST;
import static ccbt.io.wire.WireFormat.SUGGEST;
import static ccbt.io.wire.WireFormat.UNCHOKE;

/**
 * Decodes length-prefixed peer messages in place from a receive buffer and calls the handler directly:
 * no message objects. One instance per connection (it remembers whether a bitfield was seen).
 *
 * <p>Every length prefix is checked against the limits as soon as the prefix (and the id byte) are
 * readable, so an oversized message is refused before any of it is buffered. Refusals are
 * {@link PeerProtocolException}s; the caller closes the connection.
 *
 * <p>Choices where the BEPs leave room: unknown message ids close the connection (we announce no
 * extension that would make a peer send one, and an unknown id has no known length to check); fast
 * extension messages are refused unless the peer announced BEP 6, extended messages unless it
 * announced BEP 10; HAVE ALL / HAVE NONE are accepted once, and not after a BITFIELD (BEP 6). A BITFIELD
 * is accepted at any time: aria2 sends HAVE NONE first and then announces its pieces with BITFIELD
 * messages instead of HAVEs, so the handler treats a later bitfield as a set of HAVEs.
 */
public final class MessageDecoder {
    private final WireLimits limits;
    private final boolean fast;
    private final boolean extensions;
    private final int pieceCount;
    private final int maxMessageLength;
    private final int maxBitfieldLength;
    private boolean haveSeen;
    private boolean stopped;
    private long payloadBytes;
    /** The start of one incomplete message that straddles two reads (see {@link #decodeRead}), or null. */
    private ByteBuf carry;

    /**
     * @param fast       whether the peer announced the fast extension (we always do)
     * @param extensions whether the peer announced the extension protocol (we always do)
     * @param pieceCount the torrent's piece count, or 0 while unknown (magnet link without metadata)
     */
    public MessageDecoder(final WireLimits limits, final boolean fast, final boolean extensions,
                          final int pieceCount) {
        if (pieceCount < 0) {
            throw new IllegalArgumentException("piece count must not be negative: " + pieceCount);
        }
        this.limits = limits;
        this.fast = fast;
        this.extensions = extensions;
        this.pieceCount = pieceCount;
        this.maxBitfieldLength = WireLimits.bitfieldLength(pieceCount > 0 ? pieceCount : limits.maxPieces());
        this.maxMessageLength = Math.max(limits.maxMessageLength(), maxBitfieldLength);
    }

    /** Makes {@link #decode} return after the message being dispatched: the connection is closing. */
    public void stop() {
        stopped = true;
    }

    /** Block bytes delivered to {@link PeerHandler#onPiece} so far. */
    public long payloadBytes() {
        return payloadBytes;
    }

    /**
     * Decodes one read of a stream: complete messages are dispatched straight from {@code in} (a block's
     * bytes are then copied once, by the handler, from the socket buffer to wherever they go); only a
     * message that straddles two reads is copied, into a carry buffer kept until the next read completes it.
     * Reads {@code in} to its end (unless stopped) and does not release it.
     *
     * <p>This replaces cumulating every read into one buffer, which copied nearly every byte of a download
     * once more as soon as one message was split across reads.
     *
     * @throws PeerProtocolException on the first message that breaks the limits or the protocol
     */
    public void decodeRead(final ByteBuf in, final PeerHandler handler, final ByteBufAllocator alloc) {
        while (carry != null && in.isReadable() && !stopped) {
            final int have = carry.readableBytes();
            // Enough to learn the length and id first; then exactly the rest of the message. Whatever
            // decode() left in the carry is one incomplete message whose prefix it has checked.
            final int want = have < LENGTH_PREFIX + 1 ? LENGTH_PREFIX + 1 - have
                : LENGTH_PREFIX + carry.getInt(carry.readerIndex()) - have;
            // Never written over a slice a handler kept: the carry is released as soon as it is empty, and
            // the only messages dispatched from it with bytes left behind are the 5 bytes this loop reads
            // first when fewer were carried, i.e. keep-alives and id-only messages, which hand out no slice.
            carry.writeBytes(in, Math.min(want, in.readableBytes()));
            decode(carry, handler);
            if (!carry.isReadable()) {
                releaseCarry();
            }
        }
        if (stopped || !in.isReadable()) {
            return;
        }
        decode(in, handler);
        if (in.isReadable() && !stopped) {
            final int left = in.readableBytes();
            final int whole = left >= LENGTH_PREFIX ? LENGTH_PREFIX + in.getInt(in.readerIndex()) : LENGTH_PREFIX + 1;
            carry = alloc.buffer(Math.max(left, whole));
            carry.writeBytes(in, left);
        }
    }

    /** Frees the carry buffer of {@link #decodeRead}; call once the connection is closed. */
    public void releaseCarry() {
        if (carry != null) {
            carry.release();
            carry = null;
        }
    }

    /** Bytes held back in the carry buffer: the start of a message still incomplete. */
    public int carried() {
        return carry == null ? 0 : carry.readableBytes();
    }

    /**
     * Dispatches every complete message readable in {@code in}, advancing its reader index past each
     * one before its callback runs. Leaves an incomplete message unread.
     *
     * @throws PeerProtocolException on the first message that breaks the limits or the protocol
     */
    public void decode(final ByteBuf in, final PeerHandler handler) {
        while (!stopped) {
            final int readable = in.readableBytes();
            if (readable < LENGTH_PREFIX) {
                return;
            }
            final int start = in.readerIndex();
            final int length = in.getInt(start);
            if (length < 0 || length > maxMessageLength) {
                throw new PeerProtocolException("message length " + Integer.toUnsignedString(length)
                    + " exceeds limit " + maxMessageLength);
            }
            if (length == 0) {
                in.readerIndex(start + LENGTH_PREFIX);
                handler.onKeepAlive();
                continue;
            }
            if (readable < LENGTH_PREFIX + 1) {
                return;
            }
            final int id = in.getUnsignedByte(start + LENGTH_PREFIX);
            checkLength(id, length);
            if (readable < LENGTH_PREFIX + length) {
                return;
            }
            in.readerIndex(start + LENGTH_PREFIX + length);
            dispatch(in, id, start + LENGTH_PREFIX + 1, length - 1, handler);
        }
    }

    private void checkLength(final int id, final int length) {
        switch (id) {
            case CHOKE, UNCHOKE, INTERESTED, NOT_INTERESTED -> exact(id, length, ID_ONLY_LENGTH);
            case HAVE -> exact(id, length, INDEX_LENGTH);
            case REQUEST, CANCEL -> exact(id, length, BLOCK_REF_LENGTH);
            case BITFIELD -> {
                if (pieceCount > 0) {
                    exact(id, length, maxBitfieldLength);
                } else if (length < 2 || length > maxBitfieldLength) {
                    throw new PeerProtocolException("bitfield message length " + length + " outside 2.."
                        + maxBitfieldLength);
                }
            }
            case PIECE -> {
                if (length <= PIECE_HEADER_LENGTH || length > PIECE_HEADER_LENGTH + limits.maxBlockLength()) {
                    throw new PeerProtocolException("piece message length " + length + " outside "
                        + (PIECE_HEADER_LENGTH + 1) + ".." + (PIECE_HEADER_LENGTH + limits.maxBlockLength()));
                }
            }
            case PORT -> exact(id, length, PORT_LENGTH);
            case HAVE_ALL, HAVE_NONE -> {
                requireFast(id);
                exact(id, length, ID_ONLY_LENGTH);
            }
            case SUGGEST, ALLOWED_FAST -> {
                requireFast(id);
                exact(id, length, INDEX_LENGTH);
            }
            case REJECT -> {
                requireFast(id);
                exact(id, length, BLOCK_REF_LENGTH);
            }
            case EXTENDED -> {
                if (!extensions) {
                    throw new PeerProtocolException("extended message from a peer that did not announce BEP 10");
                }
                if (length < 2 || length > limits.maxExtendedLength()) {
                    throw new PeerProtocolException("extended message length " + length + " outside 2.."
                        + limits.maxExtendedLength());
                }
            }
            default -> throw new PeerProtocolException("unknown message id " + id + " (length " + length + ")");
        }
    }

    private static void exact(final int id, final int length, final int expected) {
        if (length != expected) {
            throw new PeerProtocolException(WireFormat.name(id) + " message length " + length + ", expected "
                + expected);
        }
    }

    private void requireFast(final int id) {
        if (!fast) {
            throw new PeerProtocolException(WireFormat.name(id) + " from a peer that did not announce the fast extension");
        }
    }

    private void dispatch(final ByteBuf in, final int id, final int body, final int bodyLength,
                          final PeerHandler handler) {
        switch (id) {
            case CHOKE -> handler.onChoke();
            case UNCHOKE -> handler.onUnchoke();
            case INTERESTED -> handler.onInterested();
            case NOT_INTERESTED -> handler.onNotInterested();
            case HAVE -> handler.onHave(index(id, in.getInt(body)));
            case BITFIELD -> handler.onBitfield(bitfield(in, body, bodyLength));
            case REQUEST -> {
                final int piece = index(id, in.getInt(body));
                final int offset = offset(id, in.getInt(body + 4));
                final int length = in.getInt(body + 8);
                if (length <= 0 || length > limits.maxRequestLength()) {
                    throw new PeerProtocolException("request length " + Integer.toUnsignedString(length)
                        + " outside 1.." + limits.maxRequestLength());
                }
                handler.onRequest(piece, offset, length);
            }
            case PIECE -> {
                final int piece = index(id, in.getInt(body));
                final int offset = offset(id, in.getInt(body + 4));
                final int length = bodyLength - 8;
                final ByteBuf data = in.retainedSlice(body + 8, length);
                payloadBytes += length;
                try {
                    handler.onPiece(piece, offset, data);
                } finally {
                    data.release();
                }
            }
            case CANCEL -> handler.onCancel(index(id, in.getInt(body)), offset(id, in.getInt(body + 4)),
                blockLength(id, in.getInt(body + 8)));
            case PORT -> handler.onPort(in.getUnsignedShort(body));
            case HAVE_ALL -> {
                firstHave(id);
                handler.onHaveAll();
            }
            case HAVE_NONE -> {
                firstHave(id);
                handler.onHaveNone();
            }
            case SUGGEST -> handler.onSuggest(index(id, in.getInt(body)));
            case REJECT -> handler.onReject(index(id, in.getInt(body)), offset(id, in.getInt(body + 4)),
                blockLength(id, in.getInt(body + 8)));
            case ALLOWED_FAST -> handler.onAllowedFast(index(id, in.getInt(body)));
            case EXTENDED -> {
                final int extendedId = in.getUnsignedByte(body);
                if (extendedId == 0) {
                    handler.onExtensionHandshake(ExtensionHandshake.decode(in.slice(body + 1, bodyLength - 1)));
                } else {
                    final ByteBuf payload = in.retainedSlice(body + 1, bodyLength - 1);
                    try {
                        handler.onExtended(extendedId, payload);
                    } finally {
                        payload.release();
                    }
                }
            }
            default -> throw new IllegalStateException("message id " + id + " passed the length check");
        }
    }

    private int index(final int id, final int piece) {
        if (piece < 0 || (pieceCount > 0 && piece >= pieceCount)) {
            throw new PeerProtocolException(WireFormat.name(id) + " piece index " + Integer.toUnsignedString(piece)
                + " out of range" + (pieceCount > 0 ? " 0.." + (pieceCount - 1) : ""));
        }
        return piece;
    }

    private static int offset(final int id, final int offset) {
        if (offset < 0) {
            throw new PeerProtocolException(WireFormat.name(id) + " offset " + Integer.toUnsignedString(offset)
                + " is beyond any piece");
        }
        return offset;
    }

    private static int blockLength(final int id, final int length) {
        if (length <= 0) {
            throw new PeerProtocolException(WireFormat.name(id) + " length " + Integer.toUnsignedString(length)
                + " is not positive");
        }
        return length;
    }

    private void firstHave(final int id) {
        if (haveSeen) {
            throw new PeerProtocolException(WireFormat.name(id)
                + " after an earlier bitfield, have all or have none");
        }
        haveSeen = true;
    }

    private byte[] bitfield(final ByteBuf in, final int body, final int length) {
        haveSeen = true;
        final byte[] bits = new byte[length];
        in.getBytes(body, bits);
        final int spare = length * 8 - pieceCount;
        if (pieceCount > 0 && spare > 0 && (bits[length - 1] & ((1 << spare) - 1)) != 0) {
            throw new PeerProtocolException("bitfield has spare bits set after piece " + (pieceCount - 1)
                + ": last byte 0x" + Integer.toHexString(bits[length - 1] & 0xff));
        }
        return bits;
    }
}
