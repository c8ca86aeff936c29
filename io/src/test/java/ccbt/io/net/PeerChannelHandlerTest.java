package ccbt.io.net;

import ccbt.core.InfoHash;
import ccbt.core.PeerId;
import ccbt.io.wire.Handshake;
import ccbt.io.wire.MessageWriter;
import ccbt.io.wire.PeerConnection;
import ccbt.io.wire.PeerHandler;
import ccbt.io.wire.PeerProtocolException;
import ccbt.io.wire.RecordingHandler;
import ccbt.io.wire.WireFormat;
import ccbt.io.wire.WireLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class PeerChannelHandlerTest {
    private static final InfoHash HASH_A = InfoHash.fromHex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    private static final InfoHash HASH_B = InfoHash.fromHex("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    private final PeerId remoteId = PeerId.generate();
    private final List<ByteBuf> inbound = new ArrayList<>();
    private EmbeddedChannel channel;
    private TestEndpoint torrent;

    @AfterEach
    void noLeaks() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        for (final ByteBuf b : inbound) {
            assertThat(b.refCnt()).as("inbound buffer leaked").isZero();
        }
    }

    /** An accepted connection whose router knows one torrent, {@link #HASH_A} with 16 pieces. */
    private void accept() {
        torrent = new TestEndpoint(HASH_A, null, 16);
        channel = new EmbeddedChannel(PeerChannelHandler.incoming(h -> h.equals(HASH_A) ? torrent : null,
            WireLimits.defaults()));
        torrent.loop = channel.eventLoop();
    }

    private void receive(final Consumer<ByteBuf> writer) {
        final ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer();
        writer.accept(b);
        inbound.add(b);
        channel.writeInbound(b);
    }

    private void receiveHandshake(final InfoHash hash, final long reserved) {
        receive(b -> new Handshake(hash, remoteId, reserved).writeTo(b));
    }

    private byte[] outbound() {
        final ByteBuf all = PooledByteBufAllocator.DEFAULT.heapBuffer();
        try {
            for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
                all.writeBytes(b);
                b.release();
            }
            final byte[] raw = new byte[all.readableBytes()];
            all.getBytes(0, raw);
            return raw;
        } finally {
            all.release();
        }
    }

    private RecordingHandler peer() {
        assertThat(torrent.handlers).hasSize(1);
        return torrent.handlers.getFirst();
    }

    @Test
    void routesAnAcceptedPeerByInfoHashAndAnswersWithOurHandshake() {
        accept();
        receive(b -> {
            new Handshake(HASH_A, remoteId, Handshake.OUR_RESERVED).writeTo(b);
            MessageWriter.bitfield(b, new byte[] {(byte) 0x80, 0x01});
            MessageWriter.idOnly(b, WireFormat.INTERESTED);
        });
        final byte[] out = outbound();
        assertThat(out).hasSize(68);
        final ByteBuf ours = io.netty.buffer.Unpooled.wrappedBuffer(out);
        assertThat(Handshake.read(ours)).isEqualTo(Handshake.ours(HASH_A, torrent.peerId));
        final PeerConnection conn = torrent.connections.getFirst();
        assertThat(conn.remoteHandshake()).isEqualTo(new Handshake(HASH_A, remoteId, Handshake.OUR_RESERVED));
        assertThat(conn.isOutgoing()).isFalse();
        assertThat(conn.isOpen()).isTrue();
        assertThat(peer().events).containsExactly("bitfield 8001", "interested");
        assertThat(conn.bytesReceived()).isEqualTo(68 + 7 + 5);
        assertThat(conn.bytesSent()).isEqualTo(68);
    }

    @Test
    void tellsTheHandlerOnceEveryMessageOfAReadWasDispatched() {
        accept();
        receiveHandshake(HASH_A, Handshake.OUR_RESERVED);
        receive(b -> {
            MessageWriter.idOnly(b, WireFormat.UNCHOKE);
            MessageWriter.pieceHeader(b, 0, 0, 3);
            b.writeBytes(new byte[] {1, 2});
        });
        receive(b -> {
            b.writeByte(3);
            MessageWriter.index(b, WireFormat.HAVE, 1);
        });
        final RecordingHandler h = peer();
        assertThat(h.events).containsExactly("unchoke", "piece 0 0 010203", "have 1");
        // The handshake's read dispatched no message yet; then one call after each read's messages.
        assertThat(h.readsCompleteAfter).endsWith(1, 3);
    }

    @Test
    void closesAConnectionForAnUnknownInfoHash() {
        accept();
        receiveHandshake(HASH_B, 0);
        assertThat(channel.isOpen()).isFalse();
        assertThat(outbound()).isEmpty();
        assertThat(torrent.connections).isEmpty();
    }

    @Test
    void closesAConnectionThatIsNotBitTorrentAtTheFirstByte() {
        accept();
        receive(b -> b.writeBytes("GET /announce HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertThat(channel.isOpen()).isFalse();
        assertThat(torrent.connections).isEmpty();
    }

    @Test
    void closesAConnectionToOurselves() {
        accept();
        receive(b -> new Handshake(HASH_A, torrent.peerId, 0).writeTo(b));
        assertThat(channel.isOpen()).isFalse();
        assertThat(torrent.connections).isEmpty();
    }

    @Test
    void closesAPeerTheTorrentRefuses() {
        accept();
        torrent.factory = c -> null;
        receiveHandshake(HASH_A, 0);
        assertThat(channel.isOpen()).isFalse();
        assertThat(torrent.connections.getFirst().closeReason()).isEqualTo("refused by the torrent");
    }

    @Test
    void closesOnAOneGibiByteMessageAndTellsTheHandlerWhy() {
        accept();
        receiveHandshake(HASH_A, Handshake.OUR_RESERVED);
        receive(b -> {
            MessageWriter.idOnly(b, WireFormat.UNCHOKE);
            b.writeInt(1 << 30);
            b.writeByte(WireFormat.PIECE);
        });
        assertThat(channel.isOpen()).isFalse();
        final RecordingHandler h = peer();
        assertThat(h.events).containsExactly("unchoke", "closed");
        assertThat(h.closedWith).isInstanceOf(PeerProtocolException.class)
            .hasMessageStartingWith("message length 1073741824 exceeds limit");
        assertThat(torrent.connections.getFirst().closeReason()).startsWith("message length 1073741824");
    }

    @Test
    void closesWhenTheHandlerThrowsAProtocolException() {
        accept();
        torrent.factory = c -> new RecordingHandler() {
            @Override
            public void onHave(final int piece) {
                super.onHave(piece);
                throw new PeerProtocolException("have for a piece it already had: " + piece);
            }
        };
        receive(b -> {
            new Handshake(HASH_A, remoteId, 0).writeTo(b);
            MessageWriter.index(b, WireFormat.HAVE, 3);
            MessageWriter.index(b, WireFormat.HAVE, 4);
        });
        final RecordingHandler h = peer();
        assertThat(h.events).containsExactly("have 3", "closed");
        assertThat(h.closedWith).hasMessage("have for a piece it already had: 3");
    }

    @Test
    void refusesFastMessagesFromAPeerWithoutTheBit() {
        accept();
        receiveHandshake(HASH_A, 0);
        receive(b -> MessageWriter.idOnly(b, WireFormat.HAVE_ALL));
        assertThat(peer().closedWith).hasMessage("have all from a peer that did not announce the fast extension");
    }

    @Test
    void deliversABlockAsASliceReleasedAfterTheCall() {
        accept();
        final List<ByteBuf> seen = new ArrayList<>();
        torrent.factory = c -> new RecordingHandler() {
            @Override
            public void onPiece(final int piece, final int offset, final ByteBuf data) {
                super.onPiece(piece, offset, data);
                assertThat(data.refCnt()).isPositive();
                seen.add(data);
            }
        };
        receiveHandshake(HASH_A, Handshake.OUR_RESERVED);
        receive(b -> {
            MessageWriter.pieceHeader(b, 5, 16384, 4);
            b.writeInt(0x01020304);
        });
        assertThat(peer().events).containsExactly("piece 5 16384 01020304");
        assertThat(torrent.connections.getFirst().payloadBytesReceived()).isEqualTo(4);
        assertThat(seen.getFirst().refCnt()).isZero();
    }

    @Test
    void packsSmallMessagesAndSendsBlocksWithoutCopying() {
        accept();
        receiveHandshake(HASH_A, Handshake.OUR_RESERVED);
        final PeerConnection conn = torrent.connections.getFirst();
        outbound();
        conn.sendInterested();
        conn.sendRequest(1, 0, 16384);
        conn.sendRequest(1, 16384, 16384);
        assertThat((Object) channel.readOutbound()).as("nothing leaves before flush").isNull();
        final ByteBuf block = PooledByteBufAllocator.DEFAULT.directBuffer(16384);
        block.writeZero(16384);
        conn.sendPiece(2, 0, block);
        conn.sendHaveAll();
        conn.flush();
        final ByteBuf small = channel.readOutbound();
        final ByteBuf sentBlock = channel.readOutbound();
        final ByteBuf tail = channel.readOutbound();
        try {
            assertThat(small.readableBytes()).isEqualTo(5 + 17 + 17 + 13);
            assertThat(small.getByte(4)).isEqualTo(WireFormat.INTERESTED);
            assertThat(small.getInt(5 + 17 + 17)).isEqualTo(9 + 16384);
            assertThat(small.getByte(5 + 17 + 17 + 4)).isEqualTo(WireFormat.PIECE);
            assertThat(sentBlock).isSameAs(block);
            assertThat(tail.readableBytes()).isEqualTo(5);
            assertThat(tail.getByte(4)).isEqualTo(WireFormat.HAVE_ALL);
        } finally {
            small.release();
            sentBlock.release();
            tail.release();
        }
        assertThat(conn.payloadBytesSent()).isEqualTo(16384);
        assertThat(conn.bytesSent()).isEqualTo(68 + 5 + 17 + 17 + 13 + 16384 + 5);
    }

    @Test
    void refusesToSendFastMessagesToAPeerWithoutTheBit() {
        accept();
        receiveHandshake(HASH_A, 0);
        final PeerConnection conn = torrent.connections.getFirst();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> conn.sendReject(0, 0, 16384))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("cannot send reject: the peer did not announce the fast extension");
    }

    @Test
    void dropsSendsAfterCloseAndReleasesTheirBuffers() {
        accept();
        receiveHandshake(HASH_A, Handshake.OUR_RESERVED);
        final PeerConnection conn = torrent.connections.getFirst();
        conn.close("done");
        assertThat(conn.isOpen()).isFalse();
        assertThat(conn.closeReason()).isEqualTo("done");
        final ByteBuf block = PooledByteBufAllocator.DEFAULT.directBuffer(4).writeInt(1);
        conn.sendPiece(0, 0, block);
        conn.sendHave(1);
        conn.flush();
        assertThat(block.refCnt()).isZero();
        assertThat(peer().events).containsExactly("closed");
        assertThat(peer().closedWith).isNull();
    }

    @Test
    void closesWhenNoHandshakeArrivesInTime() {
        torrent = new TestEndpoint(HASH_A, null, 0);
        final WireLimits limits = new WireLimits(16384, 131072, 1000, 1 << 20, Duration.ofSeconds(5));
        channel = new EmbeddedChannel(PeerChannelHandler.incoming(h -> torrent, limits));
        receive(b -> b.writeByte(19));
        channel.advanceTimeBy(4, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void dialsWithOurHandshakeFirstAndChecksTheAnswer() throws Exception {
        torrent = new TestEndpoint(HASH_A, null, 0);
        final EmbeddedChannel ch = new EmbeddedChannel();
        final Promise<PeerConnection> attached = ch.eventLoop().newPromise();
        torrent.loop = ch.eventLoop();
        ch.pipeline().addLast(PeerChannelHandler.outgoing(torrent, WireLimits.defaults(), attached));
        channel = ch;
        final byte[] out = outbound();
        assertThat(Handshake.read(io.netty.buffer.Unpooled.wrappedBuffer(out)))
            .isEqualTo(Handshake.ours(HASH_A, torrent.peerId));
        receiveHandshake(HASH_B, 0);
        assertThat(channel.isOpen()).isFalse();
        assertThat(attached.isDone()).isTrue();
        assertThat(attached.cause()).isInstanceOf(PeerProtocolException.class)
            .hasMessage("peer answered with info-hash " + HASH_B + ", we asked for " + HASH_A);
    }

    @Test
    void completesTheDialPromiseWhenTheTorrentTakesThePeer() throws Exception {
        torrent = new TestEndpoint(HASH_A, null, 0);
        final EmbeddedChannel ch = new EmbeddedChannel();
        final Promise<PeerConnection> attached = ch.eventLoop().newPromise();
        torrent.loop = ch.eventLoop();
        torrent.factory = c -> {
            c.sendHaveNone();
            return new RecordingHandler();
        };
        ch.pipeline().addLast(PeerChannelHandler.outgoing(torrent, WireLimits.defaults(), attached));
        channel = ch;
        outbound();
        receiveHandshake(HASH_A, Handshake.OUR_RESERVED);
        assertThat(attached.getNow()).isSameAs(torrent.connections.getFirst());
        assertThat(attached.getNow().isOutgoing()).isTrue();
        final byte[] out = outbound();
        assertThat(out).containsExactly(0, 0, 0, 1, WireFormat.HAVE_NONE);
        channel.close();
        assertThat(peer().events).containsExactly("closed");
    }

    @Test
    void callsOnClosedOnceWhenThePeerHangsUp() {
        accept();
        receiveHandshake(HASH_A, Handshake.OUR_RESERVED);
        receive(b -> MessageWriter.pieceHeader(b, 0, 0, 100));
        channel.close();
        final PeerHandler h = peer();
        assertThat(peer().events).containsExactly("closed");
        assertThat(peer().closedWith).isNull();
        assertThat(h).isNotNull();
    }
}
