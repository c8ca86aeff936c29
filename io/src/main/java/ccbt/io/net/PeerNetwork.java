package ccbt.io.net;

import ccbt.core.DirectBuffers;
import ccbt.io.wire.PeerConnection;
import ccbt.io.wire.WireLimits;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The peer network: event loops of the chosen transport, one listening socket and the connections
 * dialled for torrents. Torrents pin themselves to one loop ({@link #nextLoop()}) and all their peers
 * run there.
 */
public final class PeerNetwork implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PeerNetwork.class.getName());
    /** Send buffer water marks: a peer is "not writable" above 1 MiB queued, writable again below 256 KiB. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    /**
     * Largest buffer one socket read fills (Netty's default is 64 KiB). Fewer, larger reads mean fewer
     * completions, pipeline passes and request batches per GiB: 256 KiB cut the network thread's CPU per
     * GiB by about a tenth on loopback (docs/performance.md). The buffer shrinks again for slow peers.
     */
    static final int MAX_READ = 256 * 1024;
    /**
     * Every socket buffer starts on a cache line: Netty's default allocator places them 16 bytes past one, where
     * the kernel copies received bytes much more slowly ({@link DirectBuffers}). Netty's pooled allocator is the
     * one that takes an alignment; otherwise its defaults. Measured: the network thread's CPU for a 1 GiB download
     * fell from 1.25 to 0.97 s (docs/performance.md).
     */
    static final ByteBufAllocator ALLOCATOR = new PooledByteBufAllocator(true,
        PooledByteBufAllocator.defaultNumHeapArena(), PooledByteBufAllocator.defaultNumDirectArena(),
        PooledByteBufAllocator.defaultPageSize(), PooledByteBufAllocator.defaultMaxOrder(),
        PooledByteBufAllocator.defaultSmallCacheSize(), PooledByteBufAllocator.defaultNormalCacheSize(),
        PooledByteBufAllocator.defaultUseCacheForAllThreads(), DirectBuffers.ALIGNMENT);

    /** Shared by every peer socket; it keeps each socket's read sizes in that socket's own handle. */
    private static final AdaptiveRecvByteBufAllocator RECEIVE_SIZES = new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ);

    private final TransportFactory transports;
    /** The transport's socket classes, their constructors looked up once. */
    private final ReflectiveChannelFactory<? extends Channel> serverChannels;
    private final ReflectiveChannelFactory<? extends Channel> peerChannels;
    private final WireLimits limits;
    private final boolean moveChannels;
    private final EventLoopGroup group;
    private final ChannelGroup channels = new DefaultChannelGroup("ccbt-peers", GlobalEventExecutor.INSTANCE);
    private volatile Channel server;

    /** A network on {@code transport} (AUTO picks the best available) with {@code ioThreads} event loops. */
    public PeerNetwork(final Transport transport, final int ioThreads) {
        this(transport, ioThreads, WireLimits.defaults());
    }

    /**
     * As {@link #PeerNetwork(Transport, int)}, with explicit wire limits. Accepted connections move to
     * their torrent's loop unless {@code -Dccbt.peer.moveChannels=false}, which keeps them on the
     * accepting loop with their events relayed (a fallback should a transport misbehave on re-registration).
     */
    public PeerNetwork(final Transport transport, final int ioThreads, final WireLimits limits) {
        this(transport, ioThreads, limits, Boolean.parseBoolean(System.getProperty("ccbt.peer.moveChannels", "true")));
    }

    PeerNetwork(final Transport transport, final int ioThreads, final WireLimits limits, final boolean moveChannels) {
        this.transports = TransportFactory.select(transport);
        this.serverChannels = new ReflectiveChannelFactory<>(transports.serverSocketChannelClass());
        this.peerChannels = new ReflectiveChannelFactory<>(transports.socketChannelClass());
        this.limits = limits;
        this.moveChannels = moveChannels;
        this.group = transports.newEventLoopGroup(ioThreads, new DefaultThreadFactory("ccbt-io", true));
    }

    /** The transport actually in use (never AUTO). */
    public Transport transport() {
        return transports.transport();
    }

    /** The wire limits every connection enforces. */
    public WireLimits limits() {
        return limits;
    }

    /** The next event loop, round robin: a torrent pins itself to one. */
    public EventLoop nextLoop() {
        return group.next();
    }

    /**
     * Accepts peers on {@code bind} (port 0: any free port); {@code router} picks each connection's
     * torrent from its handshake. Returns the bound port.
     *
     * @throws IllegalStateException if already listening or the address cannot be bound
     */
    public int listen(final InetSocketAddress bind, final IncomingRouter router) {
        if (server != null) {
            throw new IllegalStateException("already listening on " + server.localAddress());
        }
        final Channel listener = serverChannels.newChannel();
        setOption(listener, ChannelOption.SO_BACKLOG, 256);
        setOption(listener, ChannelOption.SO_REUSEADDR, true);
        listener.pipeline().addLast("accept", new Acceptor(router));
        final ChannelFuture registered = group.register(listener).awaitUninterruptibly();
        final ChannelFuture bound = registered.isSuccess() ? listener.bind(bind).awaitUninterruptibly() : registered;
        if (!bound.isSuccess()) {
            listener.close().awaitUninterruptibly();
            throw new IllegalStateException("cannot listen on " + bind + ": " + bound.cause().getMessage(), bound.cause());
        }
        server = listener;
        LOG.log(System.Logger.Level.INFO, "accepting peers on " + server.localAddress() + " (" + transport() + ")");
        return port();
    }

    /** The listening port, or 0 before {@link #listen}. */
    public int port() {
        final Channel s = server;
        return s == null ? 0 : ((InetSocketAddress) s.localAddress()).getPort();
    }

    /**
     * Dials {@code remote} for {@code endpoint}, from {@code bindAddress} if not null. The channel lives
     * on the endpoint's loop. The returned future completes on that loop with the connection once the
     * handshake is done and the endpoint took the peer, or fails (refused, wrong info-hash, I/O error).
     */
    public Future<PeerConnection> connect(final InetSocketAddress remote, final InetAddress bindAddress,
                                          final PeerEndpoint endpoint) {
        final EventLoop loop = endpoint.loop();
        final Promise<PeerConnection> attached = loop.newPromise();
        final Channel ch = peerChannels.newChannel();
        setOption(ch, ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS);
        setPeerOptions(ch);
        ch.pipeline().addLast("peer", PeerChannelHandler.outgoing(endpoint, limits, attached));
        loop.register(ch).addListener((ChannelFutureListener) registered -> {
            if (!registered.isSuccess()) {
                attached.tryFailure(registered.cause());
                ch.unsafe().closeForcibly();
                return;
            }
            channels.add(ch);
            final ChannelFuture connected = bindAddress == null ? ch.connect(remote)
                : ch.connect(remote, new InetSocketAddress(bindAddress, 0));
            connected.addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    attached.tryFailure(f.cause());
                    f.channel().close();
                }
            });
        });
        return attached;
    }

    /** Options every peer socket gets, dialled or accepted. */
    private static void setPeerOptions(final Channel ch) {
        setOption(ch, ChannelOption.TCP_NODELAY, true);
        setOption(ch, ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        setOption(ch, ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_SIZES);
        setOption(ch, ChannelOption.ALLOCATOR, ALLOCATOR);
    }

    private static <T> void setOption(final Channel ch, final ChannelOption<T> option, final T value) {
        if (!ch.config().setOption(option, value)) {
            LOG.log(System.Logger.Level.WARNING, "transport " + ch.getClass().getSimpleName() + " ignores " + option);
        }
    }

    /**
     * The listening socket's handler: each accepted connection gets the peer options and handler and is registered
     * on the next event loop. In place of Netty's {@code ServerBootstrap}, whose acceptor and initializer would
     * make Netty read their annotations ({@link PassThroughInboundHandler}).
     */
    private final class Acceptor extends PassThroughInboundHandler {
        /** How long accepting pauses after an error, e.g. no file descriptors left, instead of failing in a loop. */
        private static final long PAUSE_AFTER_ERROR_MILLIS = 1_000;
        private final IncomingRouter router;

        Acceptor(final IncomingRouter router) {
            this.router = router;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
            final Channel child = (Channel) msg;
            try {
                setPeerOptions(child);
                child.pipeline().addLast("peer", PeerChannelHandler.incoming(router, limits, moveChannels));
                group.register(child).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        channels.add(child);
                    } else {
                        child.unsafe().closeForcibly();
                    }
                });
            } catch (final RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot take the connection from " + child.remoteAddress(), e);
                child.unsafe().closeForcibly();
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            LOG.log(System.Logger.Level.WARNING, "accepting peers on " + ctx.channel().localAddress() + " failed; pausing "
                + PAUSE_AFTER_ERROR_MILLIS + " ms: " + cause);
            final Channel listener = ctx.channel();
            if (listener.config().isAutoRead()) {
                listener.config().setAutoRead(false);
                listener.eventLoop().schedule(() -> listener.config().setAutoRead(true), PAUSE_AFTER_ERROR_MILLIS,
                    TimeUnit.MILLISECONDS);
            }
        }
    }

    private void drainLoops() {
        for (final io.netty.util.concurrent.EventExecutor loop : group) {
            loop.submit(() -> { }).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /**
     * Stops listening, closes every connection (each handler sees {@code onClosed}) and shuts the
     * event loops down, waiting up to 10 s.
     */
    @Override
    public void close() {
        final Channel s = server;
        if (s != null) {
            s.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        // Channel-inactive events run after the close futures and may be relayed to a torrent's loop:
        // let every loop drain twice so each handler has seen onClosed before the loops stop.
        drainLoops();
        drainLoops();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
