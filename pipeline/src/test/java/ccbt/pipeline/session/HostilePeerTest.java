package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Raw sockets that break the wire protocol: each is disconnected, and the engine keeps serving others. */
class HostilePeerTest {
    @TempDir
    Path tmp;

    private Metainfo meta;
    private Path content;

    @BeforeEach
    void data() throws Exception {
        content = tmp.resolve("seed");
        SampleDataset.write(content, Map.of("h/one.bin", 1_000_000L, "h/two.bin", 250_000L), 3);
        meta = Swarm.torrentOf(content.resolve("h"), 32 * 1024);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void hostilePeersAreDisconnectedAndTheEngineCarriesOn() throws Exception {
        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            seeder.add(meta, content, null);
            final InetSocketAddress address = Swarm.addressOf(seeder);

            // A 1 GiB message length: refused before anything is buffered.
            assertDisconnected(address, out -> out.writeInt(1 << 30));
            // HAVE with a piece index far out of range.
            assertDisconnected(address, out -> {
                out.writeInt(5);
                out.writeByte(4);
                out.writeInt(1_000_000);
            });
            // BITFIELD with the spare bits after the last piece set.
            final int pieces = meta.pieceCount();
            assertThat(pieces % 8).as("the last bitfield byte must have spare bits").isNotZero();
            final byte[] bits = new byte[(pieces + 7) / 8];
            java.util.Arrays.fill(bits, (byte) 0xff);
            assertDisconnected(address, out -> {
                out.writeInt(1 + bits.length);
                out.writeByte(5);
                out.write(bits);
            });
            // A REQUEST for a block beyond the end of its piece.
            assertDisconnected(address, out -> {
                out.writeInt(13);
                out.writeByte(6);
                out.writeInt(0);
                out.writeInt(32 * 1024 - 100);
                out.writeInt(16 * 1024);
            });

            // After all that, an honest leecher still gets the whole torrent.
            final Engine leecher = swarm.engine("127.0.0.1");
            final TorrentSession session = leecher.add(meta, tmp.resolve("out"), null);
            session.addPeers(List.of(address));
            session.completion().get(30, TimeUnit.SECONDS);
            assertThat(SampleDataset.sha256Tree(tmp.resolve("out"))).isEqualTo(SampleDataset.sha256Tree(content));
        }
    }

    interface Frames {
        void write(DataOutputStream out) throws IOException;
    }

    private void assertDisconnected(final InetSocketAddress address, final Frames hostile) throws Exception {
        try (Socket s = RawWire.dial(address, meta, new byte[8], "-XX0000-hostile-peer")) {
            final DataOutputStream out = new DataOutputStream(s.getOutputStream());
            final DataInputStream in = new DataInputStream(s.getInputStream());
            hostile.write(out);
            out.flush();
            // The engine may send its bitfield first; then it must close the connection.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            final byte[] sink = new byte[4096];
            int n;
            try {
                while ((n = in.read(sink)) >= 0) {
                    assertThat(System.nanoTime() - deadline).as("connection still open").isNegative();
                }
            } catch (final SocketTimeoutException e) {
                throw new AssertionError("the engine did not close a hostile connection within 10 s", e);
            } catch (final java.net.SocketException e) {
                // reset by the engine: disconnected as expected
            }
        }
    }
}
