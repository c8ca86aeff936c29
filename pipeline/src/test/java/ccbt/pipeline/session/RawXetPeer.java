package ccbt.pipeline.session;

import ccbt.core.metainfo.Metainfo;
import ccbt.xet.format.ChunkList;
import ccbt.xet.wire.XetMessageEncoder;
import ccbt.xet.wire.XetWireDescriptor;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test support: a seeder on a raw socket, scripted to misbehave (or merely fall short) on ut_xet. It accepts
 * one connection, sends a BEP 10 handshake (listing ut_xet or not), answers CHUNK_LIST_REQUESTs from the
 * lists given, CHUNK_REQUESTs as the {@link Chunks} mode says, and, when given the torrent's content file,
 * serves ordinary pieces (bitfield of everything, unchoke on interest). Single-file torrents only for pieces.
 */
final class RawXetPeer implements AutoCloseable {
    /** The ut_xet id this peer asks the other side to use. */
    static final int XET_ID = 3;

    /** How CHUNK_REQUESTs are answered. */
    enum Chunks { NOT_FOUND, BAD_HASH, OVERSIZED }

    private final ServerSocket server;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    final AtomicInteger chunkRequests = new AtomicInteger();
    final AtomicInteger pieceRequests = new AtomicInteger();

    RawXetPeer(final Metainfo meta, final boolean announceXet, final List<ChunkList> lists, final Chunks chunks,
               final Path content) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        server.setSoTimeout(30_000);
        thread = Thread.ofPlatform().daemon().start(() -> {
            try (Socket s = server.accept()) {
                s.setSoTimeout(30_000);
                play(s, meta, announceXet, lists, chunks, content);
            } catch (final Throwable e) {
                failure.set(e);
            }
        });
    }

    InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /** Waits until the other side hangs up; rethrows what went wrong on this side. */
    void awaitHangUp(final long millis) throws Exception {
        thread.join(millis);
        if (thread.isAlive()) {
            throw new AssertionError("the raw peer is still connected after " + millis + " ms");
        }
        if (failure.get() != null) {
            throw new AssertionError("the raw peer failed", failure.get());
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void play(final Socket s, final Metainfo meta, final boolean announceXet, final List<ChunkList> lists,
                      final Chunks chunks, final Path content) throws IOException {
        final DataInputStream in = new DataInputStream(s.getInputStream());
        final DataOutputStream out = new DataOutputStream(s.getOutputStream());
        in.readFully(new byte[68]);
        out.writeByte(19);
        out.write("BitTorrent protocol".getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[] {0, 0, 0, 0, 0, 0x10, 0, 0}); // BEP 10 extension protocol
        out.write(meta.infoHashV1().bytes());
        out.write("-XX0000-raw-xet-peer!".substring(0, 20).getBytes(StandardCharsets.US_ASCII));
        final byte[] hs = (announceXet ? "d1:md6:ut_xeti" + XET_ID + "eee" : "d1:mdee").getBytes(StandardCharsets.US_ASCII);
        out.writeInt(2 + hs.length);
        out.writeByte(20);
        out.writeByte(0);
        out.write(hs);
        if (content != null) {
            final int pieces = meta.pieceCount();
            final byte[] bits = new byte[(pieces + 7) / 8];
            for (int i = 0; i < pieces; i++) {
                bits[i >>> 3] |= (byte) (0x80 >>> (i & 7));
            }
            out.writeInt(1 + bits.length);
            out.writeByte(5);
            out.write(bits);
        }
        out.flush();
        try (RandomAccessFile file = content == null ? null : new RandomAccessFile(content.toFile(), "r")) {
            while (true) {
                final int length = in.readInt();
                if (length == 0) {
                    continue;
                }
                final byte[] body = new byte[length];
                in.readFully(body);
                final ByteBuffer b = ByteBuffer.wrap(body);
                switch (body[0]) {
                    case 2 -> { // INTERESTED
                        out.writeInt(1);
                        out.writeByte(1); // UNCHOKE
                    }
                    case 6 -> { // REQUEST
                        pieceRequests.incrementAndGet();
                        final int piece = b.getInt(1);
                        final int begin = b.getInt(5);
                        final byte[] block = new byte[b.getInt(9)];
                        file.seek((long) piece * meta.pieceLength() + begin);
                        file.readFully(block);
                        out.writeInt(9 + block.length);
                        out.writeByte(7);
                        out.writeInt(piece);
                        out.writeInt(begin);
                        out.write(block);
                    }
                    case 20 -> {
                        if ((body[1] & 0xFF) == XET_ID) {
                            final ByteBuffer reply = answer(ByteBuffer.wrap(body, 2, length - 2).slice(), lists, chunks);
                            if (reply != null) {
                                out.writeInt(2 + reply.capacity());
                                out.writeByte(20);
                                out.writeByte(XetPeer.OUR_ID);
                                out.write(reply.array());
                            }
                        }
                    }
                    default -> {
                    }
                }
                out.flush();
            }
        } catch (final EOFException | SocketException e) {
            // the other side hung up: the end of every script
        } catch (final SocketTimeoutException e) {
            throw new AssertionError("the other side kept the raw peer connected for 30 s without a word", e);
        }
    }

    private ByteBuffer answer(final ByteBuffer m, final List<ChunkList> lists, final Chunks chunks) {
        final int type = m.get(0);
        final int id = m.getInt(1);
        if (type == XetWireDescriptor.CHUNK_LIST_REQUEST) {
            final int offset = m.getInt(9);
            final byte[] serialized = lists.get(m.getInt(5)).serialize();
            final int n = XetMessageEncoder.fragmentLength(serialized.length, offset);
            final ByteBuffer reply = ByteBuffer.allocate(XetWireDescriptor.chunkListResponseLength(n));
            XetMessageEncoder.chunkListResponse(reply, 0, id, m.getInt(5), serialized, offset, n);
            return reply;
        }
        if (type != XetWireDescriptor.CHUNK_REQUEST) {
            return null;
        }
        chunkRequests.incrementAndGet();
        if (chunks == Chunks.NOT_FOUND) {
            final ByteBuffer reply = ByteBuffer.allocate(XetWireDescriptor.CHUNK_NOT_FOUND_LENGTH);
            XetMessageEncoder.chunkNotFound(reply, 0, id);
            return reply;
        }
        final int n = chunks == Chunks.OVERSIZED ? XetWireDescriptor.MAX_CHUNK_LENGTH + 1 : 64 * 1024;
        final ByteBuffer reply = ByteBuffer.allocate(XetWireDescriptor.chunkResponseLength(n));
        reply.put(0, (byte) XetWireDescriptor.CHUNK_RESPONSE).putInt(1, id);
        reply.put(XetWireDescriptor.CHUNK_HASH_OFFSET, m, XetWireDescriptor.CHUNK_HASH_OFFSET, 32);
        reply.putInt(XetWireDescriptor.CHUNK_DATA_LENGTH_OFFSET, n); // the data: zeros, which hash to nothing asked
        return reply;
    }
}
