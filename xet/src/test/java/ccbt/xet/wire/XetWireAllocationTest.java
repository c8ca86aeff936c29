package ccbt.xet.wire;

import static ccbt.xet.wire.XetMessageCodecTest.hashOf;
import static ccbt.xet.wire.XetMessageCodecTest.random;
import static org.assertj.core.api.Assertions.assertThat;

import ccbt.xet.format.ChunkList;
import ccbt.xet.hash.XetHash;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The per-chunk path (encode, decode, track, verify, hand on) allocates nothing once warm. */
class XetWireAllocationTest {
    private long delivered;

    @Test
    void thePerChunkPathDoesNotAllocate() {
        final com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final int chunks = 8;
        final byte[][] data = new byte[chunks][];
        final XetHash[] hashes = new XetHash[chunks];
        for (int i = 0; i < chunks; i++) {
            data[i] = random(1000 + 700 * i, i);
            hashes[i] = hashOf(data[i]);
        }
        final ByteBuffer[] payloads = new ByteBuffer[chunks];
        for (int i = 0; i < chunks; i++) {
            payloads[i] = ByteBuffer.allocateDirect(data[i].length).put(0, data[i]);
        }
        final XetPeerRequests peer = new XetPeerRequests(new XetRequestTracker(16, 1_000_000_000L),
                new XetPeerRequests.Listener() {
                    @Override
                    public void chunk(int requestId, XetHash hash, ByteBuffer buffer, int offset, int length) {
                        delivered += length;
                    }

                    @Override
                    public void chunkList(int fileIndex, ChunkList list) {
                    }

                    @Override
                    public void chunkListIncomplete(int fileIndex, int nextOffset) {
                    }

                    @Override
                    public void refused(int requestId, XetHash hash, int fileIndex, int code, String message) {
                    }
                });
        final ByteBuffer request = ByteBuffer.allocateDirect(XetWireDescriptor.CHUNK_REQUEST_LENGTH);
        final ByteBuffer response = ByteBuffer.allocateDirect(XetWireDescriptor.chunkResponseLength(10_000));
        final XetMessageDecoder serverSide = new XetMessageDecoder();
        final XetMessageDecoder clientSide = new XetMessageDecoder();
        final int ops = 3_000;
        for (int round = 0; round < 2; round++) { // the first round warms up
            final long tid = Thread.currentThread().threadId();
            final long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < ops; i++) {
                final int c = i % chunks;
                final int id = peer.requestChunk(hashes[c], i);
                final int q = XetMessageEncoder.chunkRequest(request, 0, id, hashes[c]);
                serverSide.wrap(request, 0, q);
                final int n = XetMessageEncoder.chunkResponse(response, 0, serverSide.requestId(), hashes[c],
                        payloads[c], 0, data[c].length);
                peer.onResponse(clientSide.wrap(response, 0, n));
            }
            final long allocated = mx.getThreadAllocatedBytes(tid) - before;
            if (round == 1) {
                // 16 bytes per chunk would be 48 KB; allow a little for one-off JVM work
                assertThat(allocated).isLessThan(4_096);
            }
        }
        assertThat(delivered).isGreaterThan(0);
        assertThat(peer.tracker().outstanding()).isZero();
    }
}
