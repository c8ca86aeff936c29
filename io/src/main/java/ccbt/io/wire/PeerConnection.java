package ccbt.io.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.FileRegion;

import java.net.InetSocketAddress;

/**
 * One peer connection after a successful handshake: the send side of the wire protocol and its state.
 * Sends are encoded straight into pooled buffers and queued without flushing; call {@link #flush()} at
 * the end of a batch. Call from the torrent's event loop. Sends on a closed connection are dropped
 * (buffers passed in are released).
 */
public interface PeerConnection {
    /** CHOKE. */
    void sendChoke();

    /** UNCHOKE. */
    void sendUnchoke();

    /** INTERESTED. */
    void sendInterested();

    /** NOT INTERESTED. */
    void sendNotInterested();

    /** HAVE. */
    void sendHave(int piece);

    /** BITFIELD with the given bytes (length ceil(pieces / 8), spare bits clear). */
    void sendBitfield(byte[] bits);

    /** REQUEST. */
    void sendRequest(int piece, int offset, int length);

    /** CANCEL. */
    void sendCancel(int piece, int offset, int length);

    /**
     * PIECE: the block's readable bytes follow a 13-byte header without being copied. Takes ownership
     * of {@code data} (it is released once written).
     */
    void sendPiece(int piece, int offset, ByteBuf data);

    /**
     * PIECE from a file region ({@code sendfile} where the transport has it, so the block never enters
     * user space). Takes ownership of {@code region}; its {@code count()} is the block length.
     */
    void sendPiece(int piece, int offset, FileRegion region);

    /** REJECT REQUEST (BEP 6); requires the peer's fast extension. */
    void sendReject(int piece, int offset, int length);

    /** HAVE ALL (BEP 6); requires the peer's fast extension. */
    void sendHaveAll();

    /** HAVE NONE (BEP 6); requires the peer's fast extension. */
    void sendHaveNone();

    /** ALLOWED FAST (BEP 6); requires the peer's fast extension. */
    void sendAllowedFast(int piece);

    /** SUGGEST PIECE (BEP 6); requires the peer's fast extension. */
    void sendSuggest(int piece);

    /** PORT (BEP 5). */
    void sendPort(int port);

    /** An extended message (BEP 10) with the peer's id for the extension; takes ownership of {@code payload}. */
    void sendExtended(int id, ByteBuf payload);

    /** An extended message (BEP 10) with the peer's id for the extension. */
    void sendExtended(int id, byte[] payload);

    /** Our extension handshake (extended message 0); requires the peer's extension bit. */
    void sendExtensionHandshake(ExtensionHandshake handshake);

    /** A keep-alive. */
    void sendKeepAlive();

    /** Writes everything queued to the socket. */
    void flush();

    /** Flushes what is queued and closes; the handler's {@code onClosed(null)} follows. */
    void close(String reason);

    /** Whether the send buffer is below its high water mark. */
    boolean isWritable();

    /** Whether the connection is still open. */
    boolean isOpen();

    /** Whether we dialled the peer. */
    boolean isOutgoing();

    /** The allocator of this connection's channel, for blocks to send. */
    ByteBufAllocator alloc();

    /** The peer's address. */
    InetSocketAddress remoteAddress();

    /** The peer's handshake. */
    Handshake remoteHandshake();

    /** Every byte received, handshake and framing included. */
    long bytesReceived();

    /** Every byte queued for sending, handshake and framing included. */
    long bytesSent();

    /** Block bytes received in PIECE messages. */
    long payloadBytesReceived();

    /** Block bytes queued in PIECE messages. */
    long payloadBytesSent();

    /** The reason given to {@link #close(String)} or the failure that closed the connection; null while open. */
    String closeReason();
}
