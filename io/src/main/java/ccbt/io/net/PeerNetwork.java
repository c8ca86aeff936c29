package ccbt.io.net;

import ccbt.core.DirectBuffers;
import ccbt.io.wire.PeerConnection;
import ccbt.io.wire.WireLimits;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
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

    private final TransportFactory transports;
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
        final ServerBootstrap b = new ServerBootstrap()
            .group(group)
            .channel(transports.serverSocketChannelClass())
            .option(ChannelOption.SO_BACKLOG, 256)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ))
            .childOption(ChannelOption.ALLOCATOR, ALLOCATOR)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    channels.add(ch);
                    ch.pipeline().addLast("peer", PeerChannelHandler.incoming(router, limits, moveChannels));
                }
            });
        final ChannelFuture bound = b.bind(bind).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("cannot listen on " + bind + ": " + bound.cause().getMessage(),
                bound.cause());
        }
        server = bound.channel();
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
        final Bootstrap b = new Bootstrap()
            .group(loop)
            .channel(transports.socketChannelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ))
            .option(ChannelOption.ALLOCATOR, ALLOCATOR)
            .handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    channels.add(ch);
                    ch.pipeline().addLast("peer", PeerChannelHandler.outgoing(endpoint, limits, attached));
                }
            });
        final ChannelFuture connected = bindAddress == null ? b.connect(remote)
            : b.connect(remote, new InetSocketAddress(bindAddress, 0));
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                attached.tryFailure(f.cause());
            }
        });
        return attached;
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
