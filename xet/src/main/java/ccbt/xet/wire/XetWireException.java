package ccbt.xet.wire;

/**
 * A peer broke the {@code ut_xet} protocol: a malformed, truncated or oversized message, a response to a
 * request we never made, a chunk that does not hash to what we asked for, or a chunk list that does not
 * match the torrent's file hash. The session treats it like a bad piece: the peer is dropped and nothing it
 * sent is used. The message names the offending value.
 */
public final class XetWireException extends RuntimeException {
    public XetWireException(String message) {
        super(message);
    }

    public XetWireException(String message, Throwable cause) {
        super(message, cause);
    }
}
