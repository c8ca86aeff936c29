package ccbt.io.wire;

import java.time.Duration;

/**
 * Bounds on what a peer may send, checked from the length prefix before any byte of the message is
 * buffered, and the time a peer gets to complete its handshake.
 *
 * @param maxBlockLength    largest block a PIECE message may carry (we request 16 KiB blocks)
 * @param maxRequestLength  largest block a peer may REQUEST from us (128 KiB is the common ceiling)
 * @param maxPieces         largest piece count a BITFIELD may describe while the torrent's own count is unknown
 * @param maxExtendedLength largest EXTENDED message (id and payload)
 * @param handshakeTimeout  time from connect to a complete handshake
 */
public record WireLimits(int maxBlockLength, int maxRequestLength, int maxPieces, int maxExtendedLength,
                         Duration handshakeTimeout) {
    /** 16 KiB: the block size every client requests (BEP 3 recommends 2^14). */
    public static final int BLOCK = 16 * 1024;

    public WireLimits {
        if (maxBlockLength <= 0 || maxRequestLength <= 0 || maxPieces <= 0 || maxExtendedLength < 2) {
            throw new IllegalArgumentException("wire limits must be positive: block=" + maxBlockLength
                + " request=" + maxRequestLength + " pieces=" + maxPieces + " extended=" + maxExtendedLength);
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshake timeout must be positive: " + handshakeTimeout);
        }
    }

    /** 16 KiB blocks, 128 KiB requests, 4 Mi pieces (512 KiB bitfield), 1 MiB extended messages, 20 s handshake. */
    public static WireLimits defaults() {
        return new WireLimits(BLOCK, 128 * 1024, 4 * 1024 * 1024, 1024 * 1024, Duration.ofSeconds(20));
    }

    /** The largest BITFIELD message length (id included) for {@code pieces} pieces. */
    static int bitfieldLength(final int pieces) {
        return 1 + (int) ((pieces + 7L) / 8);
    }

    /** The largest length prefix any message may carry under these limits. */
    public int maxMessageLength() {
        return Math.max(Math.max(WireFormat.PIECE_HEADER_LENGTH + maxBlockLength, bitfieldLength(maxPieces)),
            maxExtendedLength);
    }
}
