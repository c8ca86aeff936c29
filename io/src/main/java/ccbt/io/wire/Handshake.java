package ccbt.io.wire;

import ccbt.core.InfoHash;
import ccbt.core.PeerId;
import io.netty.buffer.ByteBuf;

import static ccbt.io.wire.WireFormat.HANDSHAKE_LENGTH;
import static ccbt.io.wire.WireFormat.INFO_HASH_OFFSET;
import static ccbt.io.wire.WireFormat.PEER_ID_OFFSET;
import static ccbt.io.wire.WireFormat.PROTOCOL;
import static ccbt.io.wire.WireFormat.RESERVED_DHT;
import static ccbt.io.wire.WireFormat.RESERVED_EXTENSIONS;
import static ccbt.io.wire.WireFormat.RESERVED_FAST;
import static ccbt.io.wire.WireFormat.RESERVED_OFFSET;

/**
 * A BEP 3 handshake: info-hash, peer id and the 8 reserved bytes (as a big-endian long) that announce
 * extensions.
 */
public record Handshake(InfoHash infoHash, PeerId peerId, long reserved) {
    /** The reserved bits we send: fast extension and extension protocol. */
    public static final long OUR_RESERVED = RESERVED_FAST | RESERVED_EXTENSIONS;

    /** Our handshake for a torrent. */
    public static Handshake ours(final InfoHash infoHash, final PeerId peerId) {
        return new Handshake(infoHash, peerId, OUR_RESERVED);
    }

    /** BEP 6 fast extension (reserved byte 7, bit 0x04). */
    public boolean supportsFast() {
        return (reserved & RESERVED_FAST) != 0;
    }

    /** BEP 10 extension protocol (reserved byte 5, bit 0x10). */
    public boolean supportsExtensions() {
        return (reserved & RESERVED_EXTENSIONS) != 0;
    }

    /** BEP 5 DHT (reserved byte 7, bit 0x01). */
    public boolean supportsDht() {
        return (reserved & RESERVED_DHT) != 0;
    }

    /** Writes the 68 handshake bytes. */
    public void writeTo(final ByteBuf out) {
        out.writeByte(PROTOCOL.length);
        out.writeBytes(PROTOCOL);
        out.writeLong(reserved);
        out.writeBytes(infoHash.bytes());
        out.writeBytes(peerId.bytes());
    }

    /**
     * Checks the protocol prefix of a handshake that is still arriving: as many bytes as are readable,
     * up to the end of the protocol string. Lets a connection speaking another protocol be dropped
     * before 68 bytes have come.
     */
    public static void checkPrefix(final ByteBuf in) {
        final int start = in.readerIndex();
        final int available = Math.min(in.readableBytes(), 1 + PROTOCOL.length);
        if (available > 0 && in.getUnsignedByte(start) != PROTOCOL.length) {
            throw new PeerProtocolException("handshake protocol length " + in.getUnsignedByte(start)
                + " is not 19 (not a BitTorrent peer)");
        }
        for (int i = 1; i < available; i++) {
            if (in.getByte(start + i) != PROTOCOL[i - 1]) {
                throw new PeerProtocolException("handshake protocol string differs from 'BitTorrent protocol' at byte " + i);
            }
        }
    }

    /** Reads a complete handshake (68 readable bytes required) and advances the reader index. */
    public static Handshake read(final ByteBuf in) {
        if (in.readableBytes() < HANDSHAKE_LENGTH) {
            throw new IllegalArgumentException("handshake needs 68 bytes, have " + in.readableBytes());
        }
        checkPrefix(in);
        final int start = in.readerIndex();
        final long reserved = in.getLong(start + RESERVED_OFFSET);
        final byte[] hash = new byte[InfoHash.LENGTH];
        in.getBytes(start + INFO_HASH_OFFSET, hash);
        final byte[] id = new byte[PeerId.LENGTH];
        in.getBytes(start + PEER_ID_OFFSET, id);
        in.skipBytes(HANDSHAKE_LENGTH);
        return new Handshake(InfoHash.of(hash), PeerId.of(id), reserved);
    }
}
