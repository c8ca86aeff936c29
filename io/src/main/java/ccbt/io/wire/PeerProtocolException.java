package ccbt.io.wire;

/**
 * A peer broke the wire protocol: oversized or malformed frame, bad handshake, a message it did not
 * negotiate. The connection is closed with this message as the reason and the handler's
 * {@link PeerHandler#onClosed(Throwable)} receives the exception. Handlers may throw it too (for
 * example for a piece index out of range); the connection treats it the same way.
 */
public final class PeerProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A violation described by {@code message}, which names the offending value. */
    public PeerProtocolException(final String message) {
        super(message);
    }
}
