package ccbt.io.wire;

import java.nio.charset.StandardCharsets;

/**
 * The BitTorrent peer wire layout, described once: handshake offsets, message ids and the fixed
 * lengths of fixed-size messages. Sources: BEP 3 (base protocol), BEP 5 (PORT), BEP 6 (fast extension),
 * BEP 10 (extension protocol).
 */
public final class WireFormat {
    /** The protocol string of the handshake (BEP 3). */
    public static final byte[] PROTOCOL = "BitTorrent protocol".getBytes(StandardCharsets.US_ASCII);
    /** pstrlen (1) + pstr (19) + reserved (8) + info-hash (20) + peer id (20). */
    public static final int HANDSHAKE_LENGTH = 68;
    public static final int RESERVED_OFFSET = 20;
    public static final int INFO_HASH_OFFSET = 28;
    public static final int PEER_ID_OFFSET = 48;

    /** Reserved bits as a big-endian long: byte 7 bit 0x01 is DHT (BEP 5). */
    public static final long RESERVED_DHT = 0x01L;
    /** Byte 7 bit 0x04: fast extension (BEP 6). */
    public static final long RESERVED_FAST = 0x04L;
    /** Byte 5 bit 0x10: extension protocol (BEP 10). */
    public static final long RESERVED_EXTENSIONS = 0x10L << 16;

    /** Bytes of the length prefix in front of every message. */
    public static final int LENGTH_PREFIX = 4;

    public static final byte CHOKE = 0;
    public static final byte UNCHOKE = 1;
    public static final byte INTERESTED = 2;
    public static final byte NOT_INTERESTED = 3;
    public static final byte HAVE = 4;
    public static final byte BITFIELD = 5;
    public static final byte REQUEST = 6;
    public static final byte PIECE = 7;
    public static final byte CANCEL = 8;
    public static final byte PORT = 9;
    public static final byte SUGGEST = 13;
    public static final byte HAVE_ALL = 14;
    public static final byte HAVE_NONE = 15;
    public static final byte REJECT = 16;
    public static final byte ALLOWED_FAST = 17;
    public static final byte EXTENDED = 20;

    /** Message length (id included) of id-only messages: choke, unchoke, (not) interested, have all/none. */
    public static final int ID_ONLY_LENGTH = 1;
    /** Message length of have, suggest, allowed fast: id + piece index. */
    public static final int INDEX_LENGTH = 5;
    /** Message length of request, cancel, reject: id + piece + offset + length. */
    public static final int BLOCK_REF_LENGTH = 13;
    /** Message length of port: id + 2-byte port. */
    public static final int PORT_LENGTH = 3;
    /** Bytes in front of a piece message's block: id + piece + offset. */
    public static final int PIECE_HEADER_LENGTH = 9;

    private WireFormat() {
    }

    /** A printable name for a message id, for error messages. */
    public static String name(final int id) {
        return switch (id) {
            case CHOKE -> "choke";
            case UNCHOKE -> "unchoke";
            case INTERESTED -> "interested";
            case NOT_INTERESTED -> "not interested";
            case HAVE -> "have";
            case BITFIELD -> "bitfield";
            case REQUEST -> "request";
            case PIECE -> "piece";
            case CANCEL -> "cancel";
            case PORT -> "port";
            case SUGGEST -> "suggest";
            case HAVE_ALL -> "have all";
            case HAVE_NONE -> "have none";
            case REJECT -> "reject";
            case ALLOWED_FAST -> "allowed fast";
            case EXTENDED -> "extended";
            default -> "unknown(" + id + ")";
        };
    }
}
