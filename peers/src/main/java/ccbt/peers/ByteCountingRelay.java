package ccbt.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay that counts the bytes it forwards in each direction.
 *
 * <p>Tests put it between a downloader and a seeder to measure what actually crossed the wire (for
 * example, how little a Xet-aware peer fetches for the next version of a dataset). It listens on
 * 127.0.0.1 on an ephemeral port; every accepted connection is dialled through to the target and
 * pumped both ways by two threads. Half-closes are passed on, so a peer that shuts its output down is
 * seen as such on the other side.
 */
public final class ByteCountingRelay implements AutoCloseable {
    private static final int BUFFER = 64 * 1024;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Thread acceptor;
    private final AtomicLong toTarget = new AtomicLong();
    private final AtomicLong fromTarget = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final List<Socket> sockets = new ArrayList<>();
    private final List<Thread> pumps = new ArrayList<>();
    private volatile boolean closed;

    private ByteCountingRelay(final InetSocketAddress target, final ServerSocket server) {
        this.target = target;
        this.server = server;
        this.acceptor = Thread.ofPlatform().daemon().name("relay-accept-" + server.getLocalPort())
            .unstarted(this::acceptLoop);
    }

    /**
     * Starts a relay to {@code target} listening on 127.0.0.1 on an ephemeral port.
     *
     * @throws IllegalArgumentException if the target is not a loopback address (tests talk only to loopback)
     */
    public static ByteCountingRelay start(final InetSocketAddress target) {
        if (target.isUnresolved() || !target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("relay target must be a loopback address: " + target);
        }
        try {
            final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            final ByteCountingRelay relay = new ByteCountingRelay(target, server);
            relay.acceptor.start();
            return relay;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1 for a relay to " + target, e);
        }
    }

    /** Where clients connect: 127.0.0.1 and the relay's port. */
    public InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /** Bytes forwarded from clients to the target so far. */
    public long bytesToTarget() {
        return toTarget.get();
    }

    /** Bytes forwarded from the target back to clients so far. */
    public long bytesFromTarget() {
        return fromTarget.get();
    }

    /** Connections accepted so far (each dialled through to the target, or closed if that failed). */
    public long connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!closed) {
            final Socket client;
            try {
                client = server.accept();
            } catch (final IOException e) {
                return; // closed
            }
            connections.incrementAndGet();
            final Socket upstream = new Socket();
            synchronized (this) {
                if (closed) {
                    SocketPump.closeQuietly(client);
                    return;
                }
                sockets.add(client);
                sockets.add(upstream);
            }
            try {
                upstream.connect(target, (int) CONNECT_TIMEOUT.toMillis());
            } catch (final IOException e) {
                SocketPump.closeQuietly(client);
                SocketPump.closeQuietly(upstream);
                continue;
            }
            final AtomicInteger open = new AtomicInteger(2);
            startPump(client, upstream, toTarget, open, "up");
            startPump(upstream, client, fromTarget, open, "down");
            forgetFinished();
        }
    }

    private void startPump(final Socket from, final Socket to, final AtomicLong counter, final AtomicInteger open,
                           final String direction) {
        final Thread t = Thread.ofPlatform().daemon().name("relay-" + direction + "-" + from.getPort())
            .unstarted(() -> SocketPump.run(from, to, BUFFER, counter, open));
        synchronized (this) {
            if (closed) {
                return;
            }
            pumps.add(t);
        }
        t.start();
    }

    /** Drops the connections and threads that have ended, so a long-lived relay does not accumulate them. */
    private synchronized void forgetFinished() {
        sockets.removeIf(Socket::isClosed);
        pumps.removeIf(t -> !t.isAlive());
    }

    /** Stops accepting, closes every relayed connection and waits (bounded) for the pump threads. */
    @Override
    public void close() {
        final List<Socket> open;
        final List<Thread> threads;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = List.copyOf(sockets);
            threads = List.copyOf(pumps);
        }
        try {
            server.close();
        } catch (final IOException ignored) {
            // closing anyway
        }
        open.forEach(SocketPump::closeQuietly);
        final long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        try {
            acceptor.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            for (final Thread t : threads) {
                t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ByteCountingRelay[" + address() + " -> " + target + ", to=" + toTarget.get() + ", from="
            + fromTarget.get() + "]";
    }
}
