package ccbt.io.net;

import ccbt.core.InfoHash;
import ccbt.io.wire.ExtensionHandshake;
import ccbt.io.wire.PeerConnection;
import ccbt.io.wire.PeerHandler;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our wire codec against libtorrent (python3-libtorrent) on 127.0.0.1: handshake with both reserved bits,
 * BEP 10 handshake, have-all or bitfield, unchoke, one block fetched and compared.
 */
@Tag("interop")
@Timeout(60)
class LibtorrentWireInteropTest {
    private static final String PYTHON = "/usr/bin/python3";

    private static boolean libtorrentInstalled() {
        try {
            final Process p = new ProcessBuilder(PYTHON, "-c", "import libtorrent").redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (final Exception e) {
            return false;
        }
    }

    @Test
    void fetchesABlockFromALibtorrentSeeder(@TempDir final Path work) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)) && libtorrentInstalled(),
            "python3-libtorrent is not installed");
        final Path script = work.resolve("lt_seed.py");
        try (var in = getClass().getResourceAsStream("lt_seed.py")) {
            Files.copy(in, script);
        }
        final Process seeder = new ProcessBuilder(PYTHON, script.toString(), work.toString())
            .redirectError(work.resolve("seeder.log").toFile()).start();
        try (PeerNetwork net = new PeerNetwork(Transport.AUTO, 1)) {
            final BufferedReader out = new BufferedReader(new InputStreamReader(seeder.getInputStream(),
                StandardCharsets.US_ASCII));
            final String ready = out.readLine();
            assertThat(ready).as("seeder output (log: %s)", work.resolve("seeder.log")).startsWith("READY ");
            final String[] f = ready.split(" ");
            final TestEndpoint torrent = new TestEndpoint(InfoHash.fromHex(f[1]), net.nextLoop(), 8);
            final CompletableFuture<ExtensionHandshake> extension = new CompletableFuture<>();
            final CompletableFuture<String> pieces = new CompletableFuture<>();
            final CompletableFuture<byte[]> block = new CompletableFuture<>();
            torrent.factory = conn -> {
                conn.sendExtensionHandshake(ExtensionHandshake.ours(0, 500));
                conn.sendHaveNone();
                conn.sendInterested();
                conn.flush();
                return new PeerHandler() {
                    @Override
                    public void onExtensionHandshake(final ExtensionHandshake hs) {
                        extension.complete(hs);
                    }

                    @Override
                    public void onHaveAll() {
                        pieces.complete("have all");
                    }

                    @Override
                    public void onBitfield(final byte[] bits) {
                        pieces.complete("bitfield " + java.util.HexFormat.of().formatHex(bits));
                    }

                    @Override
                    public void onUnchoke() {
                        conn.sendRequest(3, 16384, 16384);
                        conn.flush();
                    }

                    @Override
                    public void onPiece(final int piece, final int offset, final ByteBuf data) {
                        final byte[] copy = new byte[data.readableBytes()];
                        data.getBytes(data.readerIndex(), copy);
                        block.complete(copy);
                    }

                    @Override
                    public void onClosed(final Throwable cause) {
                        block.completeExceptionally(new AssertionError("libtorrent closed the connection", cause));
                    }
                };
            };
            // Now and then a fresh libtorrent session drops the very first connection before it logs
            // it (no alert at all); a second dial is then served. Three tries at most.
            final InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(f[2]));
            Future<PeerConnection> dial = null;
            for (int attempt = 0; attempt < 3 && (dial == null || dial.cause() != null); attempt++) {
                if (dial != null) {
                    Thread.sleep(500);
                }
                dial = net.connect(address, null, torrent);
                assertThat(dial.await(20, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(dial.cause()).as("libtorrent's log: %s", work.resolve("seeder.log")).isNull();
            final PeerConnection conn = dial.getNow();
            assertThat(conn.remoteHandshake().supportsFast()).isTrue();
            assertThat(conn.remoteHandshake().supportsExtensions()).isTrue();

            final ExtensionHandshake hs = extension.get(20, TimeUnit.SECONDS);
            assertThat(hs.client()).containsIgnoringCase("libtorrent");
            assertThat(hs.reqq()).isPositive();
            assertThat(pieces.get(20, TimeUnit.SECONDS)).isIn("have all", "bitfield ff");

            final byte[] got = block.get(20, TimeUnit.SECONDS);
            final byte[] expected = new byte[16384];
            final int start = 3 * 32 * 1024 + 16384;
            for (int i = 0; i < expected.length; i++) {
                expected[i] = (byte) ((7 * (start + i) + 3) % 256);
            }
            assertThat(got).isEqualTo(expected);
            torrent.loop.submit(() -> conn.close("done")).get(5, TimeUnit.SECONDS);
        } finally {
            seeder.getOutputStream().close();
            if (!seeder.waitFor(10, TimeUnit.SECONDS)) {
                seeder.destroyForcibly();
            }
            System.out.println("libtorrent's log:\n" + Files.readString(work.resolve("seeder.log")));
        }
    }
}
