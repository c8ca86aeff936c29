package ccbt.io.wire;

import io.netty.buffer.ByteBuf;

/**
 * What a torrent does with one peer's messages. Every callback runs on the torrent's event loop, in the
 * order the messages arrived. Arguments have been checked against the wire limits (lengths, indexes
 * against the piece count when the endpoint gave one); anything else is the handler's to judge, and it
 * may throw {@link PeerProtocolException} to drop the peer.
 *
 * <p>Buffers passed in are valid only during the call and are released by the connection afterwards:
 * copy what must outlive the call, never release them.
 */
public interface PeerHandler {
    /** CHOKE: the peer will not serve our requests (with the fast extension, it rejects them explicitly). */
    default void onChoke() {
    }

    /** UNCHOKE: the peer will serve our requests. */
    default void onUnchoke() {
    }

    /** INTERESTED: the peer wants pieces from us. */
    default void onInterested() {
    }

    /** NOT INTERESTED. */
    default void onNotInterested() {
    }

    /** HAVE: the peer completed a piece. */
    default void onHave(int piece) {
    }

    /** BITFIELD: the peer's pieces, as received (spare bits checked when the piece count is known). */
    default void onBitfield(byte[] bits) {
    }

    /** REQUEST: 0 &lt; length &le; the request limit, offset &ge; 0. */
    default void onRequest(int piece, int offset, int length) {
    }

    /**
     * PIECE: a block. {@code data} is a slice of the receive buffer, valid only during this call; the
     * handler copies it (into its staging slot) and must not release or keep it.
     */
    default void onPiece(int piece, int offset, ByteBuf data) {
    }

    /** CANCEL of an earlier request. */
    default void onCancel(int piece, int offset, int length) {
    }

    /** PORT (BEP 5): the peer's DHT port. */
    default void onPort(int port) {
    }

    /** HAVE ALL (BEP 6). Only delivered when the peer announced the fast extension. */
    default void onHaveAll() {
    }

    /** HAVE NONE (BEP 6). */
    default void onHaveNone() {
    }

    /** SUGGEST PIECE (BEP 6). */
    default void onSuggest(int piece) {
    }

    /** REJECT REQUEST (BEP 6): the peer will not serve that request. */
    default void onReject(int piece, int offset, int length) {
    }

    /** ALLOWED FAST (BEP 6): the piece may be requested while choked. */
    default void onAllowedFast(int piece) {
    }

    /** The peer's BEP 10 extension handshake (extended message id 0), decoded. */
    default void onExtensionHandshake(ExtensionHandshake handshake) {
    }

    /**
     * Any other BEP 10 message: {@code id} is the id we assigned in our handshake's m dictionary.
     * {@code payload} is valid only during the call.
     */
    default void onExtended(int id, ByteBuf payload) {
    }

    /**
     * Every message of one socket read has been dispatched: the place to do once per read what would
     * otherwise be done per message (picking and queueing requests after blocks arrived).
     */
    default void onReadComplete() {
    }

    /** A keep-alive (zero-length message). */
    default void onKeepAlive() {
    }

    /** The socket's send buffer crossed a water mark: stop or resume serving blocks. */
    default void onWritabilityChanged(boolean writable) {
    }

    /**
     * The connection is closed, called exactly once. {@code cause} is null for an orderly close (ours
     * or the peer's), a {@link PeerProtocolException} for a protocol violation, or the I/O error.
     */
    default void onClosed(Throwable cause) {
    }
}
