package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.xet.format.ChunkList;
import ccbt.xet.wire.XetMessageEncoder;
import ccbt.xet.wire.XetWireDescriptor;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A raw-socket peer that speaks ut_xet and lies: a chunk whose bytes do not hash to what was asked, a chunk
 * longer than any chunk may be, a chunk list that does not hash to the file's Xet hash. The leecher refuses
 * each, stores nothing from it, and bans the peer as it would for a bad piece.
 */
class XetHostilePeerTest {
    /** The ut_xet id the fake peer asks the leecher to use. */
    private static final int FAKE_XET_ID = 3;

    @TempDir
    Path tmp;

    private enum Lie { BAD_CHUNK, OVERSIZED_CHUNK, BAD_LIST }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aChunkThatFailsItsHashIsRefusedAndThePeerBanned() throws Exception {
        assertRefused(Lie.BAD_CHUNK);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anOversizedChunkIsRefusedAndThePeerBanned() throws Exception {
        assertRefused(Lie.OVERSIZED_CHUNK);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aChunkListNotMatchingTheFileHashIsRefusedAndThePeerBanned() throws Exception {
        assertRefused(Lie.BAD_LIST);
    }

    private void assertRefused(final Lie lie) throws Exception {
        final Path content = tmp.resolve("seed/x");
        Files.createDirectories(content);
        SampleDataset.writeFile(content.resolve("data.bin"), 600_000, 5);
        SampleDataset.writeFile(content.resolve("other.bin"), 600_000, 6);
        final Metainfo meta = XetExchangeTest.xetTorrent(content, 32 * 1024);
        final ChunkList truth = XetExchangeTest.listOf(content.resolve("data.bin"));
        final ChunkList wrong = XetExchangeTest.listOf(content.resolve("other.bin"));

        try (Swarm swarm = new Swarm(tmp.resolve("state")); ServerSocket server = new ServerSocket(0, 1,
            InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(20_000);
            final Engine leecher = swarm.engine("127.0.0.1");
            final TorrentSession session = leecher.add(meta, tmp.resolve("out"), null);
            final AtomicReference<Throwable> fakeFailed = new AtomicReference<>();
            final Thread fake = Thread.ofPlatform().daemon().start(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(20_000);
                    // Honest lists for the chunk lies; for the list lie, each file gets the other's list.
                    lie(s, meta, lie, lie == Lie.BAD_LIST ? List.of(wrong, truth) : List.of(truth, wrong));
                } catch (final Throwable e) {
                    fakeFailed.set(e);
                }
            });
            session.addPeers(List.of(new java.net.InetSocketAddress(server.getInetAddress(), server.getLocalPort())));
            fake.join(TimeUnit.SECONDS.toMillis(40));
            assertThat(fake.isAlive()).as("the fake peer still connected").isFalse();
            assertThat(fakeFailed.get()).as("the fake peer's side").isNull();

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (session.bannedAddresses().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(session.bannedAddresses()).containsExactly(InetAddress.getLoopbackAddress());
            assertThat(leecher.metrics().counter("ccbt_xet_bad_chunks_total", "").get()).isPositive();
            assertThat(leecher.metrics().counter("ccbt_xet_chunks_fetched_total", "").get()).isZero();
            assertThat(session.stats().verifiedBytes()).isZero();
            if (lie != Lie.BAD_LIST) {
                assertThat(leecher.chunkIndex().get(truth.hash(0).bytes())).as("nothing indexed").isNull();
            }
        }
    }

    /** Plays the lying seeder on {@code s} until the leecher hangs up. */
    private static void lie(final Socket s, final Metainfo meta, final Lie lie, final List<ChunkList> lists)
        throws IOException {
        final DataInputStream in = new DataInputStream(s.getInputStream());
        final DataOutputStream out = new DataOutputStream(s.getOutputStream());
        final byte[] theirs = new byte[68];
        in.readFully(theirs);
        out.writeByte(19);
        out.write("BitTorrent protocol".getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[] {0, 0, 0, 0, 0, 0x10, 0, 0}); // BEP 10 extension protocol
        out.write(meta.infoHashV1().bytes());
        out.write("-XX0000-lying-xet-pe".getBytes(StandardCharsets.US_ASCII));
        final byte[] hs = ("d1:md6:ut_xeti" + FAKE_XET_ID + "eee").getBytes(StandardCharsets.US_ASCII);
        out.writeInt(2 + hs.length);
        out.writeByte(20);
        out.writeByte(0);
        out.write(hs);
        out.flush();
        try {
            while (true) {
                final int length = in.readInt();
                if (length == 0) {
                    continue;
                }
                final byte[] body = new byte[length];
                in.readFully(body);
                if (body[0] != 20 || (body[1] & 0xFF) != FAKE_XET_ID) {
                    continue;
                }
                final ByteBuffer m = ByteBuffer.wrap(body, 2, length - 2).slice();
                final int type = m.get(0);
                final int id = m.getInt(1);
                final ByteBuffer reply;
                if (type == XetWireDescriptor.CHUNK_LIST_REQUEST) {
                    final int offset = m.getInt(9);
                    final byte[] serialized = lists.get(m.getInt(5)).serialize();
                    final int n = XetMessageEncoder.fragmentLength(serialized.length, offset);
                    reply = ByteBuffer.allocate(XetWireDescriptor.chunkListResponseLength(n));
                    XetMessageEncoder.chunkListResponse(reply, 0, id, m.getInt(5), serialized, offset, n);
                } else if (type == XetWireDescriptor.CHUNK_REQUEST) {
                    final int n = lie == Lie.OVERSIZED_CHUNK ? XetWireDescriptor.MAX_CHUNK_LENGTH + 1 : 64 * 1024;
                    reply = ByteBuffer.allocate(XetWireDescriptor.chunkResponseLength(n));
                    reply.put(0, (byte) XetWireDescriptor.CHUNK_RESPONSE).putInt(1, id);
                    reply.put(XetWireDescriptor.CHUNK_HASH_OFFSET, m, XetWireDescriptor.CHUNK_HASH_OFFSET, 32);
                    reply.putInt(XetWireDescriptor.CHUNK_DATA_LENGTH_OFFSET, n); // data: zeros, hashing to nothing asked
                } else {
                    continue;
                }
                out.writeInt(2 + reply.capacity());
                out.writeByte(20);
                out.writeByte(XetPeer.OUR_ID);
                out.write(reply.array());
                out.flush();
            }
        } catch (final java.io.EOFException | SocketException e) {
            // the leecher hung up on us: what the test waits for
        } catch (final SocketTimeoutException e) {
            throw new AssertionError("the leecher kept a lying ut_xet peer connected for 20 s", e);
        }
    }
}
