package ccbt.pipeline.session;

import ccbt.core.metainfo.Metainfo;
import ccbt.xet.format.ChunkList;
import ccbt.xet.hash.XetHash;
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
 * It may also list ut_xet with id 0 (BEP 10: "not supported") and still send a ut_xet message when told to.
 */
final class RawXetPeer implements AutoCloseable {
    /** The ut_xet id this peer asks the other side to use. */
    static final int XET_ID = 3;

    /** How CHUNK_REQUESTs are answered. */
    enum Chunks {
        NOT_FOUND, BAD_HASH, OVERSIZED,
        /** The chunk's true bytes, from the file the first chunk list describes. */
        SERVE
    }

    private final ServerSocket server;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    final AtomicInteger chunkRequests = new AtomicInteger();
    final AtomicInteger pieceRequests = new AtomicInteger();
    /** Extended messages received with an id other than 0 (the extension handshake): ut_xet sent to us. */
    final AtomicInteger extendedReceived = new AtomicInteger();
    /** Pieces asked for with REQUEST messages. */
    final java.util.Set<Integer> piecesRequested = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile DataOutputStream out;
    private final byte[] chunkData;

    RawXetPeer(final Metainfo meta, final boolean announceXet, final List<ChunkList> lists, final Chunks chunks,
               final Path content) throws IOException {
        this(meta, announceXet ? XET_ID : -1, lists, chunks, content);
    }

    /**
     * A raw peer whose extension handshake lists ut_xet with {@code announcedId}, or does not list it when
     * negative. Whatever it lists, it answers ut_xet requests sent with {@link #XET_ID}.
     */
    RawXetPeer(final Metainfo meta, final int announcedId, final List<ChunkList> lists, final Chunks chunks,
               final Path content) throws IOException {
        this(meta, announcedId, lists, chunks, null, content);
    }

    /**
     * As above; with {@link Chunks#SERVE}, {@code chunkData} is the file whose chunks {@code lists.get(0)}
     * lists, and CHUNK_REQUESTs are answered with its bytes.
     */
    RawXetPeer(final Metainfo meta, final int announcedId, final List<ChunkList> lists, final Chunks chunks,
               final Path chunkData, final Path content) throws IOException {
        this.chunkData = chunkData == null ? null : java.nio.file.Files.readAllBytes(chunkData);
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        server.setSoTimeout(30_000);
        thread = Thread.ofPlatform().daemon().start(() -> {
            try (Socket s = server.accept()) {
                s.setSoTimeout(30_000);
                play(s, meta, announcedId, lists, chunks, content);
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

    /**
     * Sends a ut_xet CHUNK_LIST_REQUEST for file 0 with the id the other side's handshake gave ut_xet, whether
     * or not this peer's own handshake listed it.
     */
    void sendXetAnyway() throws IOException {
        final DataOutputStream o = out;
        if (o == null) {
            throw new IllegalStateException("not connected yet");
        }
        final ByteBuffer m = ByteBuffer.allocate(XetWireDescriptor.CHUNK_LIST_REQUEST_LENGTH);
        XetMessageEncoder.chunkListRequest(m, 0, 1, 0, 0);
        synchronized (o) {
            o.writeInt(2 + m.capacity());
            o.writeByte(20);
            o.writeByte(XetPeer.OUR_ID);
            o.write(m.array());
            o.flush();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void play(final Socket s, final Metainfo meta, final int announcedId, final List<ChunkList> lists,
                      final Chunks chunks, final Path content) throws IOException {
        final DataInputStream in = new DataInputStream(s.getInputStream());
        final DataOutputStream out = new DataOutputStream(s.getOutputStream());
        synchronized (out) {
            handshake(in, out, meta, announcedId, content);
        }
        this.out = out;
        serve(in, out, meta, lists, chunks, content);
    }

    private static void handshake(final DataInputStream in, final DataOutputStream out, final Metainfo meta,
                                  final int announcedId, final Path content) throws IOException {
        in.readFully(new byte[68]);
        out.writeByte(19);
        out.write("BitTorrent protocol".getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[] {0, 0, 0, 0, 0, 0x10, 0, 0}); // BEP 10 extension protocol
        out.write(meta.infoHashV1().bytes());
        out.write("-XX0000-raw-xet-peer!".substring(0, 20).getBytes(StandardCharsets.US_ASCII));
        final byte[] hs = (announcedId >= 0 ? "d1:md6:ut_xeti" + announcedId + "eee" : "d1:mdee")
            .getBytes(StandardCharsets.US_ASCII);
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
    }

    /** The next peer message's body (id and payload), keep-alives skipped. */
    static byte[] nextMessage(final DataInputStream in) throws IOException {
        while (true) {
            final int length = in.readInt();
            if (length > 0) {
                final byte[] body = new byte[length];
                in.readFully(body);
                return body;
            }
        }
    }

    private void serve(final DataInputStream in, final DataOutputStream out, final Metainfo meta,
                       final List<ChunkList> lists, final Chunks chunks, final Path content) throws IOException {
        try (RandomAccessFile file = content == null ? null : new RandomAccessFile(content.toFile(), "r")) {
            while (true) {
                final byte[] body = nextMessage(in);
                final ByteBuffer b = ByteBuffer.wrap(body);
                synchronized (out) {
                    reply(out, b, body, body.length, meta, file, lists, chunks);
                }
            }
        } catch (final EOFException | SocketException e) {
            // the other side hung up: the end of every script
        } catch (final SocketTimeoutException e) {
            throw new AssertionError("the other side kept the raw peer connected for 30 s without a word", e);
        }
    }

    private void reply(final DataOutputStream out, final ByteBuffer b, final byte[] body, final int length,
                       final Metainfo meta, final RandomAccessFile file, final List<ChunkList> lists,
                       final Chunks chunks) throws IOException {
        switch (body[0]) {
            case 2 -> { // INTERESTED
                out.writeInt(1);
                out.writeByte(1); // UNCHOKE
            }
            case 6 -> { // REQUEST
                pieceRequests.incrementAndGet();
                final int piece = b.getInt(1);
                piecesRequested.add(piece);
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
                if (body[1] != 0) {
                    extendedReceived.incrementAndGet();
                }
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
        if (chunks == Chunks.SERVE) {
            final ChunkList list = lists.get(0);
            final XetHash wanted = XetHash.of(m.array(), m.arrayOffset() + XetWireDescriptor.CHUNK_HASH_OFFSET);
            int offset = 0;
            for (int i = 0; i < list.size(); offset += list.length(i), i++) {
                if (list.hash(i).equals(wanted)) {
                    final ByteBuffer reply = ByteBuffer.allocate(XetWireDescriptor.chunkResponseLength(list.length(i)));
                    XetMessageEncoder.chunkResponse(reply, 0, id, wanted, ByteBuffer.wrap(chunkData), offset,
                        list.length(i));
                    return reply;
                }
            }
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
