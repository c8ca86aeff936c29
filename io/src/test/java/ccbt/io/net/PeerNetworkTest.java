package ccbt.io.net;

import ccbt.core.InfoHash;
import ccbt.io.wire.PeerConnection;
import ccbt.io.wire.PeerHandler;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two peer networks on 127.0.0.1 trading blocks, on every transport this machine has. */
@Timeout(30)
class PeerNetworkTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int BLOCK = 16 * 1024;
    private static final int BLOCKS = 32;
    private static final int PIECES = 40;

    /** Every available transport, with accepted channels moved to their torrent's loop and relayed. */
    static List<org.junit.jupiter.params.provider.Arguments> transports() {
        return Arrays.stream(Transport.values())
            .filter(t -> t != Transport.AUTO && TransportFactory.isAvailable(t))
            .flatMap(t -> java.util.stream.Stream.of(org.junit.jupiter.params.provider.Arguments.of(t, true),
                org.junit.jupiter.params.provider.Arguments.of(t, false)))
            .toList();
    }

    private static byte pattern(final int piece, final int offset, final int i) {
        return (byte) (piece * 31 + offset / BLOCK * 7 + i);
    }

    /** Serves every request with the pattern, requests {@link #BLOCKS} blocks of its own piece, checks what comes. */
    static final class Trader implements PeerHandler {
        final PeerConnection conn;
        final int wantPiece;
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        final AtomicInteger blocks = new AtomicInteger();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        volatile byte[] peerBits;
        volatile boolean corrupt;

        Trader(final PeerConnection conn, final int wantPiece) {
            this.conn = conn;
            this.wantPiece = wantPiece;
            threads.add(Thread.currentThread());
            final byte[] bits = new byte[(PIECES + 7) / 8];
            bits[0] = (byte) 0x80;
            conn.sendBitfield(bits);
            conn.sendUnchoke();
            for (int b = 0; b < BLOCKS; b++) {
                conn.sendRequest(wantPiece, b * BLOCK, BLOCK);
            }
            conn.flush();
        }

        @Override
        public void onBitfield(final byte[] bits) {
            threads.add(Thread.currentThread());
            peerBits = bits;
        }

        @Override
        public void onRequest(final int piece, final int offset, final int length) {
            threads.add(Thread.currentThread());
            // Bulk copies only: paranoid leak detection records a trace on every buffer access.
            final byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                bytes[i] = pattern(piece, offset, i);
            }
            final ByteBuf data = conn.alloc().directBuffer(length).writeBytes(bytes);
            conn.sendPiece(piece, offset, data);
            conn.flush();
        }

        @Override
        public void onPiece(final int piece, final int offset, final ByteBuf data) {
            threads.add(Thread.currentThread());
            final byte[] bytes = new byte[data.readableBytes()];
            data.getBytes(data.readerIndex(), bytes);
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] != pattern(piece, offset, i)) {
                    corrupt = true;
                }
            }
            if (piece != wantPiece || data.readableBytes() != BLOCK) {
                corrupt = true;
            }
            if (blocks.incrementAndGet() == BLOCKS) {
                done.complete(null);
            }
        }

        @Override
        public void onClosed(final Throwable cause) {
            threads.add(Thread.currentThread());
            closed.complete(cause);
        }
    }

    private static TestEndpoint torrent(final PeerNetwork net, final String hex, final int wantPiece,
                                        final List<Trader> traders) {
        final TestEndpoint t = new TestEndpoint(InfoHash.fromHex(hex.repeat(40 / hex.length())), net.nextLoop(), PIECES);
        t.factory = c -> {
            final Trader trader = new Trader(c, wantPiece);
            traders.add(trader);
            return trader;
        };
        return t;
    }

    private static Thread threadOf(final io.netty.channel.EventLoop loop) throws Exception {
        return loop.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
    }

    @Test
    void socketBuffersStartOnACacheLine() {
        for (final int size : new int[] {17, 2048, 16 * 1024 + 13, 64 * 1024, PeerNetwork.MAX_READ}) {
            for (int i = 0; i < 8; i++) {
                final ByteBuf buf = PeerNetwork.ALLOCATOR.ioBuffer(size);
                try {
                    assertThat(buf.isDirect()).isTrue();
                    assertThat(buf.memoryAddress() % ccbt.core.DirectBuffers.ALIGNMENT).as("size %d", size).isZero();
                } finally {
                    buf.release();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}, move accepted channels: {1}")
    @MethodSource("transports")
    void tradesBlocksBothWaysAndRoutesByInfoHash(final Transport transport, final boolean move) throws Exception {
        final List<Trader> seederSide = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<Trader> leecherSide = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (PeerNetwork a = new PeerNetwork(transport, 2, ccbt.io.wire.WireLimits.defaults(), move);
             PeerNetwork b = new PeerNetwork(transport, 1)) {
            assertThat(a.transport()).isEqualTo(transport);
            final TestEndpoint a1 = torrent(a, "a1", 1, seederSide);
            final TestEndpoint a2 = torrent(a, "a2", 2, seederSide);
            assertThat(a1.loop).isNotSameAs(a2.loop);
            final int port = a.listen(new InetSocketAddress(LOOPBACK, 0),
                h -> h.equals(a1.infoHash) ? a1 : h.equals(a2.infoHash) ? a2 : null);
            assertThat(port).isPositive().isEqualTo(a.port());
            final InetSocketAddress remote = new InetSocketAddress(LOOPBACK, port);

            final TestEndpoint b1 = torrent(b, "a1", 3, leecherSide);
            final TestEndpoint b2 = torrent(b, "a2", 4, leecherSide);
            final TestEndpoint unknown = torrent(b, "cc", 5, leecherSide);
            // One dial at a time: the listener's loops take accepted channels round robin, so each lands
            // on the loop of the other torrent and has to be handed over.
            final Future<PeerConnection> c1 = b.connect(remote, LOOPBACK, b1);
            assertThat(c1.await(10, TimeUnit.SECONDS)).isTrue();
            final Future<PeerConnection> c2 = b.connect(remote, null, b2);
            assertThat(c2.await(10, TimeUnit.SECONDS)).isTrue();
            final Future<PeerConnection> c3 = b.connect(remote, null, unknown);

            assertThat(c1.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(c1.getNow()).as("dial 1: %s", c1.cause()).isNotNull();
            assertThat(c2.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(c2.getNow()).as("dial 2: %s", c2.cause()).isNotNull();
            assertThat(c3.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(c3.cause()).isInstanceOf(IOException.class).hasMessageContaining("closed");
            assertThat(unknown.connections).isEmpty();

            // A dial completes on the leecher's side once the seeder's handshake arrived; the seeder's own handler
            // may still be on its way to the torrent's loop.
            awaitSize(seederSide, 2);
            awaitSize(leecherSide, 2);
            for (final Trader t : List.of(seederSide.get(0), seederSide.get(1), leecherSide.get(0), leecherSide.get(1))) {
                try {
                    t.done.get(10, TimeUnit.SECONDS);
                } catch (final java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("peer wanting piece " + t.wantPiece + " got " + t.blocks + " blocks, open "
                        + t.conn.isOpen() + ", close reason " + t.conn.closeReason() + ", received "
                        + t.conn.bytesReceived() + ", sent " + t.conn.bytesSent() + " " + t.conn, e);
                }
            }
            for (final Trader t : List.of(seederSide.get(0), seederSide.get(1), leecherSide.get(0), leecherSide.get(1))) {
                assertThat(t.corrupt).isFalse();
                assertThat(t.peerBits).hasSize(5).startsWith((byte) 0x80);
                assertThat(t.conn.payloadBytesReceived()).isEqualTo((long) BLOCKS * BLOCK);
                assertThat(t.conn.payloadBytesSent()).isEqualTo((long) BLOCKS * BLOCK);
                assertThat(t.conn.remoteHandshake().supportsFast()).isTrue();
                assertThat(t.conn.remoteHandshake().supportsExtensions()).isTrue();
                // Accepted and dialled sockets alike receive into cache-aligned buffers (DirectBuffers).
                assertThat(t.conn.alloc()).isSameAs(PeerNetwork.ALLOCATOR);
            }
            // Every callback of a torrent ran on the loop it pinned itself to, accepted peers included.
            for (final TestEndpoint t : List.of(a1, a2, b1, b2)) {
                assertThat(t.threads).containsOnly(threadOf(t.loop));
                assertThat(t.connections).hasSize(1);
            }
            for (final Trader t : seederSide) {
                final PeerChannelHandler accepted = (PeerChannelHandler) t.conn;
                assertThat(accepted.handedOverFrom()).as("accepted on the other torrent's loop").isNotNull();
                final io.netty.channel.EventLoop own = a1.connections.contains(t.conn) ? a1.loop : a2.loop;
                assertThat(accepted.handedOverFrom()).isNotSameAs(own);
                assertThat(accepted.channel().eventLoop()).isSameAs(move ? own : accepted.handedOverFrom());
                assertThat(t.conn.isOutgoing()).isFalse();
                assertThat(t.threads).containsOnly(threadOf(t == seederSide.get(0)
                    ? loopOf(a1, a2, t) : loopOf(a2, a1, t)));
            }
            assertThat(leecherSide.getFirst().conn.isOutgoing()).isTrue();

            // Closing one side tells the other.
            final Trader leecher = traderOf(leecherSide, b1);
            final Trader seeder = traderOf(seederSide, a1);
            b1.loop.execute(() -> leecher.conn.close("test over"));
            assertThat(leecher.closed.get(5, TimeUnit.SECONDS)).isNull();
            assertThat(leecher.conn.closeReason()).isEqualTo("test over");
            assertThat(seeder.closed.get(5, TimeUnit.SECONDS)).isNull();
            assertThat(seeder.conn.isOpen()).isFalse();
            assertThat(seeder.conn.closeReason()).isEqualTo("closed by peer");
        }
        for (final Trader t : seederSide) {
            assertThat(t.closed).isDone();
        }
    }

    private static Trader traderOf(final List<Trader> traders, final TestEndpoint torrent) {
        return traders.stream().filter(t -> torrent.connections.contains(t.conn)).findFirst().orElseThrow();
    }

    private static io.netty.channel.EventLoop loopOf(final TestEndpoint first, final TestEndpoint second, final Trader t) {
        return first.connections.contains(t.conn) ? first.loop : second.loop;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plainTransports")
    void sendsABlockStraightFromAFile(final Transport transport, @org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
        throws Exception {
        final byte[] content = new byte[3 * BLOCK];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 13 + 5);
        }
        final java.nio.file.Path file = java.nio.file.Files.write(dir.resolve("data"), content);
        final CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (PeerNetwork a = new PeerNetwork(transport, 1); PeerNetwork b = new PeerNetwork(transport, 1);
             java.nio.channels.FileChannel fc = java.nio.channels.FileChannel.open(file)) {
            final TestEndpoint seeder = new TestEndpoint(InfoHash.fromHex("ee".repeat(20)), a.nextLoop(), 1);
            seeder.factory = c -> new PeerHandler() {
                @Override
                public void onRequest(final int piece, final int offset, final int length) {
                    c.sendPiece(piece, offset, new io.netty.channel.DefaultFileRegion(fc, offset, length));
                    c.flush();
                }
            };
            final TestEndpoint leecher = new TestEndpoint(seeder.infoHash, b.nextLoop(), 1);
            leecher.factory = c -> {
                c.sendRequest(0, BLOCK, BLOCK);
                c.flush();
                return new PeerHandler() {
                    @Override
                    public void onPiece(final int piece, final int offset, final ByteBuf data) {
                        final byte[] copy = new byte[data.readableBytes()];
                        data.getBytes(data.readerIndex(), copy);
                        received.complete(copy);
                    }
                };
            };
            final int port = a.listen(new InetSocketAddress(LOOPBACK, 0), h -> seeder);
            b.connect(new InetSocketAddress(LOOPBACK, port), null, leecher);
            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(Arrays.copyOfRange(content, BLOCK, 2 * BLOCK));
            assertThat(seeder.connections.getFirst().payloadBytesSent()).isEqualTo(BLOCK);
        }
    }

    @ParameterizedTest(name = "{0}, move accepted channels: {1}")
    @MethodSource("transports")
    void decodesMessagesThatArrivedWithTheHandshakeAfterTheHandOver(final Transport transport, final boolean move)
        throws Exception {
        try (PeerNetwork net = new PeerNetwork(transport, 2, ccbt.io.wire.WireLimits.defaults(), move)) {
            // Loops are taken round robin: torrent (first loop), skipped (second), listener (first),
            // accepted channel (second). So the connection is handed over with bytes already buffered.
            final TestEndpoint torrent = new TestEndpoint(InfoHash.fromHex("f0".repeat(20)), net.nextLoop(), 16);
            net.nextLoop();
            final int port = net.listen(new InetSocketAddress(LOOPBACK, 0), h -> torrent);
            final io.netty.buffer.ByteBuf hello = io.netty.buffer.Unpooled.buffer();
            new ccbt.io.wire.Handshake(torrent.infoHash, ccbt.core.PeerId.generate(), ccbt.io.wire.Handshake.OUR_RESERVED)
                .writeTo(hello);
            ccbt.io.wire.MessageWriter.bitfield(hello, new byte[] {(byte) 0xff, 0x01});
            ccbt.io.wire.MessageWriter.idOnly(hello, ccbt.io.wire.WireFormat.INTERESTED);
            ccbt.io.wire.MessageWriter.blockRef(hello, ccbt.io.wire.WireFormat.REQUEST, 15, 0, BLOCK);
            final byte[] raw = new byte[hello.readableBytes()];
            hello.readBytes(raw);
            try (java.net.Socket socket = new java.net.Socket(LOOPBACK, port)) {
                socket.getOutputStream().write(raw);
                socket.getOutputStream().flush();
                final byte[] answer = socket.getInputStream().readNBytes(68);
                assertThat(answer).hasSize(68);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while ((torrent.handlers.isEmpty() || torrent.handlers.getFirst().events.size() < 3)
                    && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                final List<String> events = torrent.loop.submit(() -> List.copyOf(torrent.handlers.getFirst().events))
                    .get(5, TimeUnit.SECONDS);
                assertThat(events).containsExactly("bitfield ff01", "interested", "request 15 0 16384");
                assertThat(((PeerChannelHandler) torrent.connections.getFirst()).handedOverFrom()).isNotNull();
                assertThat(torrent.threads).containsOnly(threadOf(torrent.loop));
            }
        }
    }

    static List<Transport> plainTransports() {
        return Arrays.stream(Transport.values()).filter(t -> t != Transport.AUTO && TransportFactory.isAvailable(t)).toList();
    }

    @Test
    void autoPicksTheBestAvailableTransport() {
        try (PeerNetwork net = new PeerNetwork(Transport.AUTO, 1)) {
            // epoll first: the order is a measured choice (docs/decisions.md), so the test spells it out
            final Transport expected = TransportFactory.isAvailable(Transport.EPOLL) ? Transport.EPOLL
                : TransportFactory.isAvailable(Transport.IO_URING) ? Transport.IO_URING : Transport.NIO;
            assertThat(net.transport()).isEqualTo(expected);
        }
    }

    @Test
    void refusesToListenTwiceOrOnABusyPort() {
        try (PeerNetwork a = new PeerNetwork(Transport.NIO, 1); PeerNetwork b = new PeerNetwork(Transport.NIO, 1)) {
            final int port = a.listen(new InetSocketAddress(LOOPBACK, 0), h -> null);
            assertThatThrownBy(() -> a.listen(new InetSocketAddress(LOOPBACK, 0), h -> null))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("already listening on");
            assertThatThrownBy(() -> b.listen(new InetSocketAddress(LOOPBACK, port), h -> null))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("cannot listen on");
        }
    }

    @Test
    void failsTheDialWhenNothingListens() throws Exception {
        try (PeerNetwork net = new PeerNetwork(Transport.NIO, 1)) {
            final int freePort;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, LOOPBACK)) {
                freePort = s.getLocalPort();
            }
            final TestEndpoint t = new TestEndpoint(InfoHash.fromHex("dd".repeat(20)), net.nextLoop(), 0);
            final Future<PeerConnection> f = net.connect(new InetSocketAddress(LOOPBACK, freePort), null, t);
            assertThat(f.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(f.cause()).isNotNull();
            assertThat(t.connections).isEmpty();
        }
    }

    /** Waits up to 10 s for {@code list} to reach {@code size}, then asserts it. */
    private static void awaitSize(final List<?> list, final int size) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (list.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(list).hasSize(size);
    }
}
