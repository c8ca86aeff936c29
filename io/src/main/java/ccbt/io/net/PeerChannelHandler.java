package ccbt.io.net;

import ccbt.io.wire.ExtensionHandshake;
import ccbt.io.wire.Handshake;
import ccbt.io.wire.MessageDecoder;
import ccbt.io.wire.MessageWriter;
import ccbt.io.wire.PeerConnection;
import ccbt.io.wire.PeerHandler;
import ccbt.io.wire.PeerProtocolException;
import ccbt.io.wire.WireFormat;
import ccbt.io.wire.WireLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.net.InetSocketAddress;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One peer connection: handshake, routing of accepted connections to their torrent, in-place message
 * decoding and the send side.
 *
 * <p>Threads: until the handshake, the channel's own event loop owns this object. From the handshake
 * on, the torrent's loop ({@link PeerEndpoint#loop()}) owns it: dialled channels live on that loop
 * anyway; an accepted channel that landed on another loop stays there for its I/O, and every inbound
 * event (bytes, close, errors, writability) is relayed to the torrent's loop, where decoding and all
 * handler callbacks run. Writes from the torrent's loop are handed to the channel's loop by Netty.
 * (Moving the channel itself with deregister/register stalled reads or writes on NIO, epoll and
 * io_uring alike in our loopback tests, so we do not.)
 *
 * <p>Until the handshake is done inbound bytes gather in one cumulation buffer; from then on each read
 * goes to {@link MessageDecoder#decodeRead}, which dispatches complete messages from it without copying
 * and keeps only a message split across reads. Outbound small messages are packed into one pooled buffer that is
 * written out when full, before a block, or on {@link #flush()}; blocks are written as they are.
 */
final class PeerChannelHandler extends PassThroughInboundHandler implements PeerConnection {
    private static final System.Logger LOG = System.getLogger(PeerChannelHandler.class.getName());
    /** Capacity of the buffer small messages are packed into: a batch of requests fits. */
    private static final int SMALL_BUFFER = 1024;


    /** MOVING: handshake done, waiting for the torrent's loop to take the connection over. */
    private enum Phase { HANDSHAKE, MOVING, ACTIVE, CLOSED }

    private final boolean outgoing;
    /** Accepted channels: move to the torrent's loop (true) or stay and relay events (false). */
    private final boolean moveChannels;
    private final IncomingRouter router;
    private final WireLimits limits;
    private final Promise<PeerConnection> attached;
    private PeerEndpoint endpoint;
    private boolean handedOver;
    /** The accepting loop a connection was handed over from, or null; for tests. */
    private volatile EventLoop handedOverFrom;
    /** The loop that owns this object's state once the handshake is done; null before. */
    private EventLoop owner;
    private Phase phase = Phase.HANDSHAKE;
    private ChannelHandlerContext ctx;
    private Channel channel;
    private Handshake remote;
    private MessageDecoder decoder;
    private PeerHandler handler;
    private ByteBuf cumulation;
    private ByteBuf out;
    private Future<?> handshakeTimeout;
    private String closeReason;
    private Throwable closeCause;
    private boolean closedNotified;
    /** True while {@link #process()} runs: the cumulation is in use and is freed by process itself. */
    private boolean processing;
    private long bytesReceived;
    private long bytesSent;
    private long payloadSent;

    /** A connection we dial for {@code endpoint}; {@code attached} completes once the torrent took it. */
    static PeerChannelHandler outgoing(final PeerEndpoint endpoint, final WireLimits limits,
                                       final Promise<PeerConnection> attached) {
        return new PeerChannelHandler(true, endpoint, null, limits, attached, false);
    }

    /** A connection we accepted; {@code router} picks its torrent from the handshake. */
    static PeerChannelHandler incoming(final IncomingRouter router, final WireLimits limits) {
        return incoming(router, limits, true);
    }

    /**
     * A connection we accepted. With {@code moveChannels} the channel moves to its torrent's loop after
     * the handshake; without, it stays on the accepting loop and its events are relayed.
     */
    static PeerChannelHandler incoming(final IncomingRouter router, final WireLimits limits,
                                       final boolean moveChannels) {
        return new PeerChannelHandler(false, null, router, limits, null, moveChannels);
    }

    private PeerChannelHandler(final boolean outgoing, final PeerEndpoint endpoint, final IncomingRouter router,
                               final WireLimits limits, final Promise<PeerConnection> attached,
                               final boolean moveChannels) {
        this.outgoing = outgoing;
        this.moveChannels = moveChannels;
        this.endpoint = endpoint;
        this.router = router;
        this.limits = limits;
        this.attached = attached;
    }

    // ---------------------------------------------------------------- inbound

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
        if (channel.isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    private void start() {
        if (handshakeTimeout != null || phase != Phase.HANDSHAKE) {
            return;
        }
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (phase == Phase.HANDSHAKE) {
                fail(new PeerProtocolException("no handshake within " + limits.handshakeTimeout().toMillis() + " ms"));
            }
        }, limits.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        if (outgoing) {
            writeOurHandshake();
            ctx.flush();
        }
    }

    private void writeOurHandshake() {
        final ByteBuf hs = ctx.alloc().ioBuffer(WireFormat.HANDSHAKE_LENGTH);
        Handshake.ours(endpoint.infoHash(), endpoint.ourPeerId()).writeTo(hs);
        bytesSent += WireFormat.HANDSHAKE_LENGTH;
        ctx.write(hs, ctx.voidPromise());
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        final ByteBuf in = (ByteBuf) msg;
        final EventLoop o = owner;
        if (o == null || o.inEventLoop()) {
            received(in);
        } else {
            relay(o, () -> received(in), in);
        }
    }

    private void received(final ByteBuf in) {
        if (phase == Phase.CLOSED) {
            in.release();
            return;
        }
        bytesReceived += in.readableBytes();
        cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        process();
        final EventLoop o = owner;
        if (phase == Phase.ACTIVE && (o == null || o.inEventLoop())) {
            // What the handler queued in answer to this read (requests after blocks, blocks after requests)
            // goes out now, once per read rather than once per message. Not on a loop that has just handed the
            // connection over (relay mode): the torrent's loop may already be writing, and owns the buffers now.
            flush();
        }
    }

    /** Consumes what the cumulation holds, as far as the phase allows. */
    private void process() {
        processing = true;
        try {
            if (phase == Phase.HANDSHAKE && cumulation != null) {
                Handshake.checkPrefix(cumulation);
                if (cumulation.readableBytes() >= WireFormat.HANDSHAKE_LENGTH) {
                    handshake(Handshake.read(cumulation));
                }
            }
            if (phase == Phase.ACTIVE && handler != null && cumulation != null) {
                // Consumes the whole read: a message split across reads waits in the decoder's carry, so
                // the next read is never merged into this one (one copy less for nearly every block).
                decoder.decodeRead(cumulation, handler, ctx.alloc());
                if (phase == Phase.ACTIVE) {
                    handler.onReadComplete();
                }
            }
        } catch (final Throwable t) {
            fail(t);
        } finally {
            processing = false;
        }
        if (phase == Phase.CLOSED && decoder != null) {
            decoder.releaseCarry();
        }
        if (cumulation != null) {
            if (!cumulation.isReadable() || phase == Phase.CLOSED) {
                cumulation.release();
                cumulation = null;
            } else {
                cumulation.discardSomeReadBytes();
            }
        }
        if (phase == Phase.MOVING && !handedOver) {
            handedOver = true;
            handOver();
        }
    }

    /**
     * Gives the connection to the torrent's loop, last thing on the accepting loop. The channel itself
     * moves: reading pauses, it leaves this loop from a task (the transport's read loop must be done with
     * it first) and registers with the torrent's loop, where the bytes already received are decoded and
     * reading resumes. If the move fails the channel stays and its events are relayed instead.
     */
    private void handOver() {
        final EventLoop target = endpoint.loop();
        handedOverFrom = channel.eventLoop();
        if (!moveChannels) {
            owner = target;
            relay(target, this::takeOver, null);
            return;
        }
        channel.config().setAutoRead(false);
        ctx.executor().execute(() -> {
            if (phase != Phase.MOVING) {
                return; // closed meanwhile
            }
            channel.deregister().addListener(d -> moved(d, target));
        });
    }

    /** On the accepting loop, once deregistered: registers with the torrent's loop, or stays and relays. */
    private void moved(final Future<?> d, final EventLoop target) {
        if (!d.isSuccess()) {
            LOG.log(System.Logger.Level.DEBUG, "peer stays on its accepting loop: " + d.cause());
            owner = target;
            relay(target, this::takeOver, null);
            channel.config().setAutoRead(true);
            return;
        }
        target.register(channel).addListener(r -> {
            if (!r.isSuccess()) {
                LOG.log(System.Logger.Level.WARNING, "cannot move peer " + channel.remoteAddress()
                    + " to its torrent's event loop", r.cause());
                channel.unsafe().closeForcibly();
                owner = target;
                relay(target, this::closed, null);
                return;
            }
            owner = target;
            takeOver();
            if (phase == Phase.ACTIVE) {
                channel.config().setAutoRead(true);
            }
        });
    }

    /** On the torrent's loop: attaches and decodes what arrived meanwhile. */
    private void takeOver() {
        if (phase == Phase.MOVING) {
            attach();
            process();
        }
    }

    private void handshake(final Handshake hs) {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        if (outgoing) {
            if (!hs.infoHash().equals(endpoint.infoHash())) {
                throw new PeerProtocolException("peer answered with info-hash " + hs.infoHash() + ", we asked for "
                    + endpoint.infoHash());
            }
        } else {
            endpoint = router.route(hs.infoHash());
            if (endpoint == null) {
                close("no torrent with info-hash " + hs.infoHash());
                return;
            }
        }
        if (hs.peerId().equals(endpoint.ourPeerId())) {
            close("connected to ourselves");
            return;
        }
        remote = hs;
        decoder = new MessageDecoder(limits, hs.supportsFast(), hs.supportsExtensions(), endpoint.pieceCount());
        if (!outgoing) {
            writeOurHandshake();
        }
        if (endpoint.loop().inEventLoop()) {
            owner = endpoint.loop();
            attach();
        } else {
            phase = Phase.MOVING;
        }
    }

    /** Runs {@code task} on {@code loop}; if the loop is shut down, frees {@code buf} and drops the task. */
    private void relay(final EventLoop loop, final Runnable task, final ByteBuf buf) {
        try {
            loop.execute(task);
        } catch (final RejectedExecutionException e) {
            if (buf != null) {
                buf.release();
            }
            channel.unsafe().closeForcibly();
        }
    }

    /** Runs {@code task} on the owning loop: directly when already there. */
    private void onOwner(final Runnable task) {
        final EventLoop o = owner;
        if (o == null || o.inEventLoop()) {
            task.run();
        } else {
            relay(o, task, null);
        }
    }

    /** On the torrent's loop: hands the connection to the torrent. */
    private void attach() {
        // Active before newPeer: the torrent typically sends its bitfield from there.
        phase = Phase.ACTIVE;
        final PeerHandler h;
        try {
            h = endpoint.newPeer(this);
        } catch (final RuntimeException e) {
            fail(e);
            return;
        }
        if (h == null) {
            close("refused by the torrent");
            return;
        }
        handler = h;
        flush();
        if (attached != null) {
            attached.trySuccess(this);
        }
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx) {
        onOwner(() -> {
            if (phase == Phase.ACTIVE && handler != null) {
                try {
                    handler.onWritabilityChanged(channel.isWritable());
                } catch (final RuntimeException e) {
                    fail(e);
                }
            }
        });
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        onOwner(() -> fail(cause));
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) {
        onOwner(this::closed);
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx) {
        onOwner(this::release);
    }

    private void fail(final Throwable cause) {
        if (phase == Phase.CLOSED) {
            return;
        }
        if (!(cause instanceof PeerProtocolException) && !(cause instanceof IOException)) {
            LOG.log(System.Logger.Level.WARNING, "peer " + channel.remoteAddress() + " failed", cause);
        }
        closeCause = cause;
        closeReason = String.valueOf(cause.getMessage());
        shut();
    }

    /** Stops decoding and closes the socket; what was queued is flushed first. */
    private void shut() {
        phase = Phase.CLOSED;
        if (decoder != null) {
            decoder.stop();
        }
        writePending();
        ctx.flush();
        ctx.close();
    }

    /** Runs once when the channel is gone: notifies the handler and the dial promise, frees buffers. */
    private void closed() {
        phase = Phase.CLOSED;
        if (decoder != null) {
            decoder.stop();
        }
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        release();
        if (closeReason == null) {
            closeReason = "closed by peer";
        }
        if (closedNotified) {
            return;
        }
        closedNotified = true;
        if (attached != null && !attached.isDone()) {
            attached.tryFailure(closeCause != null ? closeCause
                : new IOException("connection to " + channel.remoteAddress() + " closed: " + closeReason));
        }
        if (handler != null) {
            try {
                handler.onClosed(closeCause);
            } catch (final RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "peer handler failed on close", e);
            }
        }
    }

    private void release() {
        if (cumulation != null && !processing) {
            cumulation.release();
            cumulation = null;
        }
        if (decoder != null && !processing) {
            decoder.releaseCarry();
        }
        if (out != null) {
            out.release();
            out = null;
        }
    }

    // ---------------------------------------------------------------- outbound

    /** The small-message buffer with room for {@code bytes}, writing out a full one first. */
    private ByteBuf small(final int bytes) {
        final ByteBuf buf = out;
        if (buf != null && buf.writableBytes() >= bytes) {
            return buf;
        }
        writePending();
        out = ctx.alloc().ioBuffer(Math.max(bytes, SMALL_BUFFER));
        return out;
    }

    private void writePending() {
        final ByteBuf buf = out;
        if (buf != null) {
            out = null;
            if (buf.isReadable()) {
                ctx.write(buf, ctx.voidPromise());
            } else {
                buf.release();
            }
        }
    }

    private boolean sendable() {
        return phase == Phase.ACTIVE;
    }

    private void idOnly(final byte id) {
        if (sendable()) {
            bytesSent += MessageWriter.idOnly(small(5), id);
        }
    }

    private void index(final byte id, final int piece) {
        if (sendable()) {
            bytesSent += MessageWriter.index(small(9), id, piece);
        }
    }

    private void blockRef(final byte id, final int piece, final int offset, final int length) {
        if (sendable()) {
            bytesSent += MessageWriter.blockRef(small(MessageWriter.MAX_FIXED), id, piece, offset, length);
        }
    }

    private void requireFast(final byte id) {
        if (!remote.supportsFast()) {
            throw new IllegalStateException("cannot send " + WireFormat.name(id)
                + ": the peer did not announce the fast extension");
        }
    }

    @Override
    public void sendChoke() {
        idOnly(WireFormat.CHOKE);
    }

    @Override
    public void sendUnchoke() {
        idOnly(WireFormat.UNCHOKE);
    }

    @Override
    public void sendInterested() {
        idOnly(WireFormat.INTERESTED);
    }

    @Override
    public void sendNotInterested() {
        idOnly(WireFormat.NOT_INTERESTED);
    }

    @Override
    public void sendHave(final int piece) {
        index(WireFormat.HAVE, piece);
    }

    @Override
    public void sendBitfield(final byte[] bits) {
        if (sendable()) {
            bytesSent += MessageWriter.bitfield(small(5 + bits.length), bits);
        }
    }

    @Override
    public void sendRequest(final int piece, final int offset, final int length) {
        blockRef(WireFormat.REQUEST, piece, offset, length);
    }

    @Override
    public void sendCancel(final int piece, final int offset, final int length) {
        blockRef(WireFormat.CANCEL, piece, offset, length);
    }

    @Override
    public void sendPiece(final int piece, final int offset, final ByteBuf data) {
        if (!sendable()) {
            data.release();
            return;
        }
        final int length = data.readableBytes();
        bytesSent += MessageWriter.pieceHeader(small(MessageWriter.PIECE_HEADER), piece, offset, length);
        writePending();
        bytesSent += length;
        payloadSent += length;
        ctx.write(data, ctx.voidPromise());
    }

    @Override
    public void sendPiece(final int piece, final int offset, final FileRegion region) {
        if (!sendable()) {
            region.release();
            return;
        }
        if (region.count() <= 0 || region.count() > Integer.MAX_VALUE - MessageWriter.PIECE_HEADER) {
            region.release();
            throw new IllegalArgumentException("block length out of range: " + region.count());
        }
        final int length = (int) region.count();
        bytesSent += MessageWriter.pieceHeader(small(MessageWriter.PIECE_HEADER), piece, offset, length);
        writePending();
        bytesSent += length;
        payloadSent += length;
        ctx.write(region, ctx.voidPromise());
    }

    @Override
    public void sendReject(final int piece, final int offset, final int length) {
        requireFast(WireFormat.REJECT);
        blockRef(WireFormat.REJECT, piece, offset, length);
    }

    @Override
    public void sendHaveAll() {
        requireFast(WireFormat.HAVE_ALL);
        idOnly(WireFormat.HAVE_ALL);
    }

    @Override
    public void sendHaveNone() {
        requireFast(WireFormat.HAVE_NONE);
        idOnly(WireFormat.HAVE_NONE);
    }

    @Override
    public void sendAllowedFast(final int piece) {
        requireFast(WireFormat.ALLOWED_FAST);
        index(WireFormat.ALLOWED_FAST, piece);
    }

    @Override
    public void sendSuggest(final int piece) {
        requireFast(WireFormat.SUGGEST);
        index(WireFormat.SUGGEST, piece);
    }

    @Override
    public void sendPort(final int port) {
        if (sendable()) {
            bytesSent += MessageWriter.port(small(7), port);
        }
    }

    @Override
    public void sendExtended(final int id, final ByteBuf payload) {
        if (!sendable()) {
            payload.release();
            return;
        }
        requireExtensions();
        bytesSent += MessageWriter.extendedHeader(small(6), id, payload.readableBytes());
        writePending();
        bytesSent += payload.readableBytes();
        ctx.write(payload, ctx.voidPromise());
    }

    @Override
    public void sendExtended(final int id, final byte[] payload) {
        requireExtensions();
        if (sendable()) {
            final ByteBuf buf = small(6 + payload.length);
            bytesSent += MessageWriter.extendedHeader(buf, id, payload.length);
            buf.writeBytes(payload);
            bytesSent += payload.length;
        }
    }

    private void requireExtensions() {
        if (!remote.supportsExtensions()) {
            throw new IllegalStateException("cannot send an extended message: the peer did not announce BEP 10");
        }
    }

    @Override
    public void sendExtensionHandshake(final ExtensionHandshake handshake) {
        sendExtended(0, handshake.encode());
    }

    @Override
    public void sendKeepAlive() {
        if (sendable()) {
            bytesSent += MessageWriter.keepAlive(small(4));
        }
    }

    @Override
    public void flush() {
        if (sendable()) {
            writePending();
            ctx.flush();
        }
    }

    @Override
    public void close(final String reason) {
        if (phase == Phase.CLOSED) {
            return;
        }
        closeReason = reason;
        shut();
    }

    // ---------------------------------------------------------------- state

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public boolean isOpen() {
        return phase != Phase.CLOSED && channel.isOpen();
    }

    @Override
    public boolean isOutgoing() {
        return outgoing;
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return channel.remoteAddress() instanceof InetSocketAddress address ? address : null;
    }

    @Override
    public Handshake remoteHandshake() {
        return remote;
    }

    @Override
    public long bytesReceived() {
        return bytesReceived;
    }

    @Override
    public long bytesSent() {
        return bytesSent;
    }

    @Override
    public long payloadBytesReceived() {
        return decoder == null ? 0 : decoder.payloadBytes();
    }

    @Override
    public long payloadBytesSent() {
        return payloadSent;
    }

    @Override
    public String closeReason() {
        return phase == Phase.CLOSED ? closeReason : null;
    }

    /** The loop an accepted connection was handed over from (null if it was accepted on its torrent's loop). */
    EventLoop handedOverFrom() {
        return handedOverFrom;
    }

    /** The channel, for tests. */
    Channel channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "peer " + channel.remoteAddress() + (outgoing ? " (dialled)" : " (accepted)")
            + (endpoint == null ? "" : " for " + endpoint.infoHash());
    }
}
