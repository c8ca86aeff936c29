package ccbt.xet.wire;

import static ccbt.xet.wire.XetMessageCodecTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.xet.XetChunkHasher;
import ccbt.xet.format.ChunkList;
import ccbt.xet.hash.XetHash;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A downloader and a simulated serving peer exchange real encoded messages: the file comes back whole from
 * verified chunks, its chunk list arrives verified in fragments, and every lie of the peer is refused
 * without reaching the listener.
 */
class XetPeerRequestsTest {
    private static final int FILE = 1;
    private final byte[] file = random(900_000, 21);
    private final Map<XetHash, byte[]> served = new HashMap<>();
    private final List<XetHash> order = new ArrayList<>();
    private XetHash fileHash;
    private byte[] list;

    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final List<ChunkList> lists = new ArrayList<>();
    private final List<Integer> incomplete = new ArrayList<>();
    private final List<String> refusals = new ArrayList<>();
    private XetPeerRequests peer;
    private final ByteBuffer frame = ByteBuffer.allocate(XetWireDescriptor.MAX_MESSAGE_LENGTH);
    private final XetMessageDecoder decoder = new XetMessageDecoder();

    @BeforeEach
    void chunkTheFileAndConnect() {
        final XetChunkHasher hasher = new XetChunkHasher((offset, length, hash) -> {
            served.put(hash, java.util.Arrays.copyOfRange(file, (int) offset, (int) offset + length));
            order.add(hash);
        });
        hasher.update(file, 0, file.length);
        hasher.finish();
        fileHash = hasher.fileHash();
        list = ChunkList.of(hasher.chunks()).serialize();
        peer = new XetPeerRequests(new XetRequestTracker(XetRequestTracker.DEFAULT_MAX_OUTSTANDING, 1_000_000_000L),
                new XetPeerRequests.Listener() {
                    @Override
                    public void chunk(int requestId, XetHash hash, ByteBuffer buffer, int offset, int length) {
                        final byte[] b = new byte[length];
                        buffer.get(offset, b);
                        received.writeBytes(b);
                    }

                    @Override
                    public void chunkList(int fileIndex, ChunkList l) {
                        lists.add(l);
                    }

                    @Override
                    public void chunkListIncomplete(int fileIndex, int nextOffset) {
                        incomplete.add(nextOffset);
                    }

                    @Override
                    public void refused(int requestId, XetHash hash, int fileIndex, int code, String message) {
                        refusals.add((hash == null ? "list " + fileIndex : "chunk") + " code " + code + " " + message);
                    }
                });
    }

    /** The serving peer's answer to a chunk request, as it goes on the wire, then decoded by us. */
    private XetMessageDecoder serveChunk(final int id, final XetHash hash, final byte[] bytes) {
        final int n = bytes == null ? XetMessageEncoder.chunkNotFound(frame, 0, id)
                : XetMessageEncoder.chunkResponse(frame, 0, id, hash, ByteBuffer.wrap(bytes), 0, bytes.length);
        return decoder.wrap(frame, 0, n);
    }

    private XetMessageDecoder serveList(final int id, final byte[] l, final int offset, final int fragment) {
        final int f = Math.min(fragment, XetMessageEncoder.fragmentLength(l.length, offset));
        return decoder.wrap(frame, 0, XetMessageEncoder.chunkListResponse(frame, 0, id, FILE, l, offset, f));
    }

    @Test
    void theFileComesBackFromVerifiedChunks() {
        for (final XetHash h : order) {
            final int id = peer.requestChunk(h, 0);
            peer.onResponse(serveChunk(id, h, served.get(h)));
        }
        assertThat(received.toByteArray()).isEqualTo(file);
        assertThat(peer.tracker().outstanding()).isZero();
    }

    @Test
    void theChunkListArrivesInFragmentsAndVerified() {
        int id = peer.requestChunkList(FILE, fileHash, file.length, 0);
        assertThat(peer.listOffset(FILE)).isZero();
        while (lists.isEmpty()) {
            peer.onResponse(serveList(id, list, peer.listOffset(FILE), 200));
            if (lists.isEmpty()) {
                id = peer.requestChunkList(FILE, fileHash, file.length, 0);
            }
        }
        assertThat(incomplete).hasSize((list.length + 199) / 200 - 1).endsWith(incomplete.size() * 200);
        assertThat(lists.getFirst().serialize()).isEqualTo(list);
        assertThat(lists.getFirst().size()).isEqualTo(order.size());
        assertThat(peer.listOffset(FILE)).isZero(); // done: a new request would start over
    }

    @Test
    void aBadChunkIsRefusedAndNotHandedOn() {
        final XetHash h = order.get(2);
        final byte[] corrupt = served.get(h).clone();
        corrupt[100] ^= 0x40;
        final int id = peer.requestChunk(h, 0);
        assertThatThrownBy(() -> peer.onResponse(serveChunk(id, h, corrupt))).isInstanceOf(XetWireException.class)
                .hasMessageContaining("bad chunk in CHUNK_RESPONSE to request " + id);
        assertThat(received.size()).isZero();
    }

    @Test
    void aChunkWeDidNotAskForIsRefused() {
        final XetHash h = order.getFirst();
        final int id = peer.requestChunk(h, 0);
        peer.onResponse(serveChunk(id, h, served.get(h)));
        assertThatThrownBy(() -> peer.onResponse(serveChunk(id, h, served.get(h)))).isInstanceOf(XetWireException.class)
                .hasMessageContaining("not outstanding");
        assertThatThrownBy(() -> peer.onResponse(serveChunk(id + 100, h, served.get(h))))
                .isInstanceOf(XetWireException.class);
        assertThat(received.size()).isEqualTo(served.get(h).length);
    }

    @Test
    void aChunkListThatDoesNotMatchTheTorrentIsRefusedAndDropped() {
        final byte[] forged = list.clone();
        forged[60] ^= 1; // a chunk hash
        final int id = peer.requestChunkList(FILE, fileHash, file.length, 0);
        assertThatThrownBy(() -> peer.onResponse(serveList(id, forged, 0, forged.length)))
                .isInstanceOf(XetWireException.class).hasMessageContaining("chunk list of file 1 refused");
        assertThat(lists).isEmpty();
        assertThat(peer.listOffset(FILE)).isZero();
    }

    @Test
    void notFoundAndErrorsReachTheListenerAndRetireTheRequest() {
        final int chunk = peer.requestChunk(order.getFirst(), 0);
        peer.onResponse(serveChunk(chunk, null, null));
        final int listId = peer.requestChunkList(FILE, fileHash, file.length, 0);
        final int n = XetMessageEncoder.chunkError(frame, 0, listId, XetWireDescriptor.ERROR_NOT_XET, "no xet here");
        peer.onResponse(decoder.wrap(frame, 0, n));
        assertThat(refusals).containsExactly("chunk code 0 ", "list 1 code 3 no xet here");
        assertThat(peer.tracker().outstanding()).isZero();
        assertThatThrownBy(() -> peer.onResponse(serveChunk(chunk, null, null))).isInstanceOf(XetWireException.class);
    }

    @Test
    void oneChunkListRequestPerFileAtATimeAndATimeoutFreesIt() {
        final int first = peer.requestChunkList(FILE, fileHash, file.length, 0);
        assertThatThrownBy(() -> peer.requestChunkList(FILE, fileHash, file.length, 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("file 1 is already in flight");
        peer.onResponse(serveList(first, list, 0, 100));
        final int second = peer.requestChunkList(FILE, fileHash, file.length, 0);
        final List<Integer> expired = new ArrayList<>();
        assertThat(peer.expire(2_000_000_000L, (id, kind, hash, f) -> expired.add(id))).isEqualTo(1);
        assertThat(expired).containsExactly(second);
        assertThatThrownBy(() -> peer.onResponse(serveList(second, list, 100, 100))).isInstanceOf(XetWireException.class);
        // the part already received is kept: the retry continues at offset 100
        final int retry = peer.requestChunkList(FILE, fileHash, file.length, 0);
        assertThat(peer.listOffset(FILE)).isEqualTo(100);
        peer.onResponse(serveList(retry, list, 100, list.length));
        assertThat(lists).hasSize(1);
        assertThat(lists.getFirst().serialize()).isEqualTo(list);
    }

    @Test
    void aRequestIsNotAResponse() {
        final int n = XetMessageEncoder.chunkRequest(frame, 0, 1, order.getFirst());
        assertThatThrownBy(() -> peer.onResponse(decoder.wrap(frame, 0, n))).isInstanceOf(IllegalArgumentException.class);
    }
}
