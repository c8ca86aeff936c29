package ccbt.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ByteCountingRelayTest {

    /** A target that reads everything a client sends until its half-close, then answers with a reply. */
    private static final class Target implements AutoCloseable {
        final ServerSocket server;
        final Thread thread;
        volatile long received;

        Target(final byte[] reply) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            thread = Thread.ofPlatform().daemon().start(() -> {
                try (Socket s = server.accept()) {
                    final byte[] buf = new byte[8192];
                    long n = 0;
                    int r;
                    final InputStream in = s.getInputStream();
                    while ((r = in.read(buf)) >= 0) {
                        n += r;
                    }
                    received = n;
                    final DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    out.writeLong(n);
                    out.write(reply);
                    out.flush();
                } catch (final IOException ignored) {
                    // the test fails on its own assertions
                }
            });
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.join(5000);
        }
    }

    @Test
    @Timeout(30)
    void forwardsBothWaysPassesHalfClosesOnAndCountsEachDirection() throws Exception {
        final byte[] request = new byte[3 * 1024 * 1024 + 17];
        final byte[] reply = new byte[1024 * 1024 + 5];
        new Random(1).nextBytes(request);
        new Random(2).nextBytes(reply);
        try (Target target = new Target(reply); ByteCountingRelay relay = ByteCountingRelay.start(target.address());
             Socket client = new Socket()) {
            assertThat(relay.address().getAddress().isLoopbackAddress()).isTrue();
            client.connect(relay.address(), 5000);
            client.getOutputStream().write(request);
            client.shutdownOutput();
            final byte[] answer = client.getInputStream().readAllBytes(); // ends only if the target's close came through

            assertThat(answer.length).isEqualTo(8 + reply.length);
            assertThat(java.nio.ByteBuffer.wrap(answer).getLong()).isEqualTo(request.length);
            assertThat(Arrays.copyOfRange(answer, 8, answer.length)).isEqualTo(reply);
            assertThat(target.received).isEqualTo(request.length);
            assertThat(relay.bytesToTarget()).isEqualTo(request.length);
            assertThat(relay.bytesFromTarget()).isEqualTo(8L + reply.length);
            assertThat(relay.connections()).isEqualTo(1);
        }
    }

    @Test
    @Timeout(30)
    void countsTheSumOfConcurrentConnections() throws Exception {
        final int clients = 4;
        try (ServerSocket echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // An echo target: each connection is answered byte for byte until the client half-closes.
            final Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                for (int i = 0; i < clients; i++) {
                    try {
                        final Socket s = echo.accept();
                        Thread.ofPlatform().daemon().start(() -> {
                            try (s) {
                                s.getInputStream().transferTo(s.getOutputStream());
                            } catch (final IOException ignored) {
                                // the test fails on its own assertions
                            }
                        });
                    } catch (final IOException e) {
                        return;
                    }
                }
            });
            try (ByteCountingRelay relay = ByteCountingRelay.start(
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort()))) {
                final Thread[] threads = new Thread[clients];
                final boolean[] ok = new boolean[clients];
                for (int i = 0; i < clients; i++) {
                    final int n = i;
                    threads[i] = Thread.ofPlatform().start(() -> {
                        final byte[] data = new byte[100_000 * (n + 1)];
                        new Random(n).nextBytes(data);
                        try (Socket c = new Socket()) {
                            c.connect(relay.address(), 5000);
                            final Thread writer = Thread.ofPlatform().start(() -> {
                                try {
                                    c.getOutputStream().write(data);
                                    c.shutdownOutput();
                                } catch (final IOException ignored) {
                                    // seen as a short echo below
                                }
                            });
                            ok[n] = Arrays.equals(c.getInputStream().readAllBytes(), data);
                            writer.join(10_000);
                        } catch (final IOException | InterruptedException e) {
                            ok[n] = false;
                        }
                    });
                }
                for (final Thread t : threads) {
                    t.join(20_000);
                }
                final long total = 100_000L * (1 + 2 + 3 + 4);
                assertThat(ok).containsOnly(true);
                assertThat(relay.bytesToTarget()).isEqualTo(total);
                assertThat(relay.bytesFromTarget()).isEqualTo(total);
                assertThat(relay.connections()).isEqualTo(clients);
            }
            acceptor.join(5000);
        }
    }

    @Test
    @Timeout(30)
    void closeEndsOpenConnectionsPromptly() throws Exception {
        final CountDownLatch accepted = new CountDownLatch(1);
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            final Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                try (Socket s = silent.accept()) {
                    s.getInputStream().readNBytes(100);
                    accepted.countDown();
                    s.getInputStream().read(); // waits until the relay drops the connection
                } catch (final IOException ignored) {
                    // expected when the relay closes
                }
            });
            final ByteCountingRelay relay = ByteCountingRelay.start(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()));
            try (Socket client = new Socket()) {
                client.connect(relay.address(), 5000);
                client.getOutputStream().write(new byte[100]);
                assertThat(accepted.await(10, TimeUnit.SECONDS)).isTrue();
                final long start = System.nanoTime();
                relay.close();
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(6000);
                client.setSoTimeout(5000);
                int r;
                try {
                    r = client.getInputStream().read();
                } catch (final SocketException reset) {
                    r = -1;
                }
                assertThat(r).as("client sees the connection end").isEqualTo(-1);
                acceptor.join(5000);
                assertThat(acceptor.isAlive()).as("target sees the connection end").isFalse();
                assertThat(relay.bytesToTarget()).isEqualTo(100);
            }
            assertThatThrownBy(() -> {
                try (Socket again = new Socket()) {
                    again.connect(relay.address(), 2000);
                }
            }).isInstanceOf(IOException.class);
        }
    }

    @Test
    @Timeout(30)
    void aClientOfAnUnreachableTargetIsClosed() throws Exception {
        final int freePort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freePort = probe.getLocalPort();
        }
        try (ByteCountingRelay relay = ByteCountingRelay.start(
                 new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort));
             Socket client = new Socket()) {
            client.connect(relay.address(), 5000);
            client.setSoTimeout(10_000);
            int r;
            try {
                r = client.getInputStream().read();
            } catch (final SocketException reset) {
                r = -1;
            }
            assertThat(r).isEqualTo(-1);
            assertThat(relay.bytesFromTarget()).isZero();
        }
    }

    @Test
    void refusesANonLoopbackTarget() {
        assertThatThrownBy(() -> ByteCountingRelay.start(new InetSocketAddress("192.0.2.1", 6881)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("192.0.2.1");
        assertThatThrownBy(() -> ByteCountingRelay.start(InetSocketAddress.createUnresolved("example.org", 1)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("example.org");
    }
}
