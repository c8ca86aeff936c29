package ccbt.bench.swarm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The relay between two peers that only listen: each sees an initiator's handshake, the second gets the first's
 * handshake verbatim, bytes then flow both ways, and each connection comes from its own 127.0.0.x address.
 */
class RelayTest {
    private static final byte[] HASH = new byte[20];
    private static final byte[] BITS = {0, 0, 0, 0, 0, 0x10, 0, 0x04};

    static {
        Arrays.fill(HASH, (byte) 7);
    }

    /** A peer that listens, answers one handshake with {@code reserved}, then sends {@code after} and reads 5 bytes. */
    private record FakePeer(ServerSocket server, CompletableFuture<byte[][]> got) {
        static FakePeer start(final byte[] reserved, final String peerId, final String after) throws IOException {
            final ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
            final CompletableFuture<byte[][]> got = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(10_000);
                    final InputStream in = s.getInputStream();
                    final byte[] theirs = in.readNBytes(68);
                    s.getOutputStream().write(Relay.handshake(reserved, HASH, peerId.getBytes(StandardCharsets.US_ASCII)));
                    s.getOutputStream().write(after.getBytes(StandardCharsets.US_ASCII));
                    final byte[] message = in.readNBytes(5);
                    got.complete(new byte[][] {theirs, message,
                        s.getInetAddress().getAddress()});
                } catch (final IOException e) {
                    got.completeExceptionally(e);
                }
            });
            return new FakePeer(server, got);
        }

        InetSocketAddress address() {
            return new InetSocketAddress("127.0.0.1", server.getLocalPort());
        }
    }

    @Test
    @Timeout(30)
    void introducesTwoListeningPeersAndCopiesBothWays() throws Exception {
        final FakePeer first = FakePeer.start(BITS, "-AA0001-000000000001", "hello");
        final FakePeer second = FakePeer.start(BITS, "-BB0001-000000000002", "world");
        try (Relay relay = new Relay()) {
            relay.introduce(first.address(), second.address(), HASH);
            final byte[][] a = first.got().get(20, TimeUnit.SECONDS);
            final byte[][] b = second.got().get(20, TimeUnit.SECONDS);
            assertThat(Arrays.copyOfRange(a[0], 20, 28)).isEqualTo(BITS);
            assertThat(Arrays.copyOfRange(a[0], 28, 48)).isEqualTo(HASH);
            // the second peer sees the first's own handshake, peer id included
            assertThat(new String(b[0], 48, 20, StandardCharsets.US_ASCII)).isEqualTo("-AA0001-000000000001");
            assertThat(new String(a[1], StandardCharsets.US_ASCII)).isEqualTo("world");
            assertThat(new String(b[1], StandardCharsets.US_ASCII)).isEqualTo("hello");
            assertThat(a[2][0]).isEqualTo((byte) 127);
            assertThat(a[2]).as("distinct source addresses").isNotEqualTo(b[2]);
        } finally {
            first.server().close();
            second.server().close();
        }
    }

    @Test
    @Timeout(30)
    void refusesPeersThatWouldDisagreeOnTheFastExtension() throws Exception {
        final FakePeer first = FakePeer.start(BITS, "-AA0001-000000000001", "hello");
        final FakePeer second = FakePeer.start(new byte[] {0, 0, 0, 0, 0, 0x10, 0, 0}, "-BB0001-000000000002", "world");
        try (Relay relay = new Relay()) {
            assertThatThrownBy(() -> relay.introduce(first.address(), second.address(), HASH))
                .isInstanceOf(IOException.class).hasMessageContaining(second.address().toString())
                .hasMessageContaining("0000000000100000");
        } finally {
            first.server().close();
            second.server().close();
        }
    }

    @Test
    @Timeout(30)
    void refusesAnAnswerForAnotherTorrent() throws Exception {
        final ServerSocket other = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try (Socket s = other.accept()) {
                s.getInputStream().readNBytes(68);
                final byte[] wrong = new byte[20];
                s.getOutputStream().write(Relay.handshake(BITS, wrong, new byte[20]));
                s.getInputStream().read();
            } catch (final IOException ignored) {
                // the relay hangs up
            }
        });
        try (Relay relay = new Relay()) {
            assertThatThrownBy(() -> relay.introduce(new InetSocketAddress("127.0.0.1", other.getLocalPort()),
                new InetSocketAddress("127.0.0.1", 1), HASH)).hasMessageContaining("info-hash " + "00".repeat(20));
        } finally {
            other.close();
        }
    }

    @Test
    @Timeout(30)
    void forwardsADialledConnectionUnchanged() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 5, InetAddress.getLoopbackAddress()); Relay relay = new Relay()) {
            final CompletableFuture<String> seen = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Socket s = target.accept()) {
                    seen.complete(new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
                    s.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
                } catch (final IOException e) {
                    seen.completeExceptionally(e);
                }
            });
            final InetSocketAddress front = relay.forward(new InetSocketAddress("127.0.0.1", target.getLocalPort()));
            try (Socket c = new Socket(front.getAddress(), front.getPort())) {
                c.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("ping");
                c.setSoTimeout(10_000);
                assertThat(new String(c.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("pong");
            }
        }
    }
}
