package ccbt.io.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * Resolves a {@link Transport} to what Netty needs: the I/O handler of the event loops and the channel
 * classes. {@link Transport#AUTO} takes epoll, then io_uring, then NIO, whichever is first available: with
 * epoll, uploads go out as file regions (sendfile), which Netty's io_uring transport handles badly, and the
 * bench's uploads, fan-outs and downloads all used less CPU on it (docs/decisions.md). An explicit transport
 * that is not available is an error naming the reason.
 */
public final class TransportFactory {
    /** What {@link Transport#AUTO} tries, in order; the last one is always available. */
    public static final List<Transport> AUTO_ORDER = List.of(Transport.EPOLL, Transport.IO_URING, Transport.NIO);
    private static final System.Logger LOG = System.getLogger(TransportFactory.class.getName());

    private final Transport transport;

    private TransportFactory(final Transport transport) {
        this.transport = transport;
    }

    /** The factory for {@code requested}, resolving AUTO; logs the choice at INFO. */
    public static TransportFactory select(final Transport requested) {
        final Transport chosen;
        if (requested == Transport.AUTO) {
            chosen = AUTO_ORDER.stream().filter(TransportFactory::isAvailable).findFirst().orElseThrow();
            LOG.log(System.Logger.Level.INFO, "peer transport: " + chosen + " (auto" + passedOverNote(chosen) + ")");
        } else {
            if (!isAvailable(requested)) {
                throw new IllegalStateException("transport " + requested + " is not available here: "
                    + unavailabilityCause(requested));
            }
            chosen = requested;
            LOG.log(System.Logger.Level.INFO, "peer transport: " + chosen + " (configured)");
        }
        return new TransportFactory(chosen);
    }

    /** Whether {@code transport} can be used on this machine (AUTO always can). */
    public static boolean isAvailable(final Transport transport) {
        return switch (transport) {
            case AUTO, NIO -> true;
            case IO_URING -> IoUring.isAvailable();
            case EPOLL -> Epoll.isAvailable();
        };
    }

    private static String unavailabilityCause(final Transport transport) {
        final Throwable cause = switch (transport) {
            case IO_URING -> IoUring.unavailabilityCause();
            case EPOLL -> Epoll.unavailabilityCause();
            default -> null;
        };
        return cause == null ? "unknown reason" : String.valueOf(cause.getMessage());
    }

    /**
     * Why the transports {@link #AUTO_ORDER} prefers to {@code chosen} were passed over ("" for the first choice).
     * Those after it are not probed: loading io_uring's native library only to report it cost every start about
     * 15 ms once epoll had been chosen.
     */
    private static String passedOverNote(final Transport chosen) {
        final StringBuilder sb = new StringBuilder();
        for (final Transport t : AUTO_ORDER) {
            if (t == chosen) {
                break;
            }
            sb.append("; ").append(t).append(" unavailable: ").append(unavailabilityCause(t));
        }
        return sb.toString();
    }

    /** The transport chosen (never AUTO). */
    public Transport transport() {
        return transport;
    }

    /** The I/O handler factory of this transport's event loops. */
    public IoHandlerFactory ioHandlerFactory() {
        return switch (transport) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO, AUTO -> NioIoHandler.newFactory();
        };
    }

    /** A group of {@code threads} event loops of this transport. */
    public EventLoopGroup newEventLoopGroup(final int threads, final ThreadFactory threadFactory) {
        if (threads < 1) {
            throw new IllegalArgumentException("I/O threads must be at least 1: " + threads);
        }
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, ioHandlerFactory());
    }

    /** The client socket channel class. */
    public Class<? extends SocketChannel> socketChannelClass() {
        return switch (transport) {
            case IO_URING -> IoUringSocketChannel.class;
            case EPOLL -> EpollSocketChannel.class;
            case NIO, AUTO -> NioSocketChannel.class;
        };
    }

    /** The listening socket channel class. */
    public Class<? extends ServerSocketChannel> serverSocketChannelClass() {
        return switch (transport) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO, AUTO -> NioServerSocketChannel.class;
        };
    }
}
