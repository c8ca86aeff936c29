package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.xet.format.ChunkList;
import ccbt.xet.hash.XetHash;
import ccbt.xet.wire.XetMessageDecoder;
import ccbt.xet.wire.XetMessageEncoder;
import ccbt.xet.wire.XetWireDescriptor;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving side of ut_xet, seen from a raw socket: chunks and lists of the torrent asked for, nothing of
 * another torrent in the same engine, an error for a file that does not exist, and a disconnect for a
 * message that is not ut_xet.
 */
class XetServeTest {
    private static final int CLIENT_XET_ID = 7;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void servesItsOwnChunksAndListsAndNothingElse() throws Exception {
        final Path one = tmp.resolve("one/t1");
        final Path two = tmp.resolve("two/t2");
        Files.createDirectories(one);
        Files.createDirectories(two);
        SampleDataset.writeFile(one.resolve("a.bin"), 400_000, 1);
        SampleDataset.writeFile(two.resolve("b.bin"), 400_000, 2);
        final Metainfo m1 = XetExchangeTest.xetTorrent(one, 32 * 1024);
        final Metainfo m2 = XetExchangeTest.xetTorrent(two, 32 * 1024);
        final ChunkList l1 = XetExchangeTest.listOf(one.resolve("a.bin"));
        final ChunkList l2 = XetExchangeTest.listOf(two.resolve("b.bin"));
        final byte[] a = Files.readAllBytes(one.resolve("a.bin"));

        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            final TorrentSession s1 = seeder.add(m1, tmp.resolve("one"), null);
            final TorrentSession s2 = seeder.add(m2, tmp.resolve("two"), null);
            XetExchangeTest.await(() -> s1.xetListsComplete() && s2.xetListsComplete(), "both torrents chunked");

            try (Socket s = new Socket()) {
                s.connect(Swarm.addressOf(seeder), 5000);
                s.setSoTimeout(10_000);
                final DataOutputStream out = new DataOutputStream(s.getOutputStream());
                final DataInputStream in = new DataInputStream(s.getInputStream());
                out.writeByte(19);
                out.write("BitTorrent protocol".getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[] {0, 0, 0, 0, 0, 0x10, 0, 0});
                out.write(m1.infoHashV1().bytes());
                out.write("-XX0000-raw-xet-test".getBytes(StandardCharsets.US_ASCII));
                final byte[] hs = ("d1:md6:ut_xeti" + CLIENT_XET_ID + "eee").getBytes(StandardCharsets.US_ASCII);
                out.writeInt(2 + hs.length);
                out.writeByte(20);
                out.writeByte(0);
                out.write(hs);
                out.flush();
                in.readFully(new byte[68]);

                // Another torrent's chunk, in the same engine: not found.
                send(out, request(5, l2.hash(0)));
                assertThat(next(in).type()).isEqualTo(XetWireDescriptor.CHUNK_NOT_FOUND);

                send(out, request(6, l1.hash(1)));
                final XetMessageDecoder chunk = next(in);
                assertThat(chunk.type()).isEqualTo(XetWireDescriptor.CHUNK_RESPONSE);
                assertThat(chunk.requestId()).isEqualTo(6);
                final byte[] got = new byte[chunk.chunkDataLength()];
                chunk.buffer().get(chunk.chunkDataOffset(), got);
                assertThat(got).isEqualTo(Arrays.copyOfRange(a, l1.length(0), l1.length(0) + l1.length(1)));

                send(out, listRequest(8, 0, 0));
                final XetMessageDecoder list = next(in);
                assertThat(list.type()).isEqualTo(XetWireDescriptor.CHUNK_LIST_RESPONSE);
                final byte[] fragment = new byte[list.fragmentLength()];
                list.buffer().get(list.fragmentDataOffset(), fragment);
                assertThat(fragment).isEqualTo(l1.serialize());

                send(out, listRequest(9, 99, 0));
                final XetMessageDecoder error = next(in);
                assertThat(error.type()).isEqualTo(XetWireDescriptor.CHUNK_ERROR);
                assertThat(error.errorCode()).isEqualTo(XetWireDescriptor.ERROR_BAD_REQUEST);

                // Not a ut_xet message at all: the connection is closed.
                send(out, new byte[] {9, 0, 0, 0, 1});
                try {
                    while (true) {
                        next(in);
                    }
                } catch (final EOFException | SocketException closed) {
                    // what we wait for
                }
            }
            assertThat(seeder.metrics().counter("ccbt_xet_chunks_served_total", "").get()).isEqualTo(1);
        }
    }

    private static byte[] request(final int id, final XetHash hash) {
        final byte[] m = new byte[XetWireDescriptor.CHUNK_REQUEST_LENGTH];
        XetMessageEncoder.chunkRequest(ByteBuffer.wrap(m), 0, id, hash);
        return m;
    }

    private static byte[] listRequest(final int id, final int file, final int offset) {
        final byte[] m = new byte[XetWireDescriptor.CHUNK_LIST_REQUEST_LENGTH];
        XetMessageEncoder.chunkListRequest(ByteBuffer.wrap(m), 0, id, file, offset);
        return m;
    }

    private static void send(final DataOutputStream out, final byte[] xet) throws IOException {
        out.writeInt(2 + xet.length);
        out.writeByte(20);
        out.writeByte(XetPeer.OUR_ID);
        out.write(xet);
        out.flush();
    }

    /** The next ut_xet message to us, skipping every other message. */
    private static XetMessageDecoder next(final DataInputStream in) throws IOException {
        while (true) {
            final byte[] body = RawXetPeer.nextMessage(in);
            if (body[0] == 20 && (body[1] & 0xFF) == CLIENT_XET_ID) {
                return new XetMessageDecoder().wrap(ByteBuffer.wrap(body), 2, body.length - 2);
            }
        }
    }
}
