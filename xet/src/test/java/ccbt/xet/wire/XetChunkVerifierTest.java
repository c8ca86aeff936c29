package ccbt.xet.wire;

import static ccbt.xet.wire.XetMessageCodecTest.hashOf;
import static ccbt.xet.wire.XetMessageCodecTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.xet.hash.XetHash;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** A received chunk is used only if its bytes hash to the chunk hash we requested. */
class XetChunkVerifierTest {
    private final XetChunkVerifier verifier = new XetChunkVerifier();
    private final XetMessageDecoder decoder = new XetMessageDecoder();

    private XetMessageDecoder response(final int id, final XetHash named, final byte[] data) {
        final ByteBuffer b = ByteBuffer.allocateDirect(XetWireDescriptor.chunkResponseLength(data.length));
        final int n = XetMessageEncoder.chunkResponse(b, 0, id, named, ByteBuffer.wrap(data), 0, data.length);
        return decoder.wrap(b, 0, n);
    }

    @Test
    void acceptsAChunkWhoseBytesHashToTheRequestedHash() {
        for (final int len : new int[] {1, 8192, 65_536, 131_072}) {
            final byte[] data = random(len, len);
            final XetHash requested = hashOf(data);
            verifier.verifyResponse(response(1, requested, data), requested);
            assertThat(verifier.matches(requested, ByteBuffer.wrap(data), 0, len)).isTrue();
        }
    }

    @Test
    void refusesAChunkWithOneByteChanged() {
        final byte[] data = random(70_000, 5);
        final XetHash requested = hashOf(data);
        data[69_999] ^= 1;
        assertThatThrownBy(() -> verifier.verifyResponse(response(8, requested, data), requested))
                .isInstanceOf(XetWireException.class)
                .hasMessageContaining("bad chunk in CHUNK_RESPONSE to request 8: 70000 bytes hash to " + hashOf(data))
                .hasMessageContaining("requested " + requested);
    }

    @Test
    void refusesAResponseNamingAnotherChunkEvenIfItsBytesMatchThatChunk() {
        final byte[] asked = random(1000, 1);
        final byte[] other = random(1000, 2);
        assertThatThrownBy(() -> verifier.verifyResponse(response(3, hashOf(other), other), hashOf(asked)))
                .isInstanceOf(XetWireException.class)
                .hasMessageContaining("names chunk " + hashOf(other) + ", requested " + hashOf(asked));
    }

    @Test
    void aFailedCheckLeavesTheHasherReadyForTheNextChunk() {
        final byte[] good = random(4000, 3);
        assertThat(verifier.matches(hashOf(good), ByteBuffer.wrap(random(4000, 4)), 0, 4000)).isFalse();
        assertThat(verifier.matches(hashOf(good), ByteBuffer.wrap(good), 0, 4000)).isTrue();
        final ByteBuffer framed = ByteBuffer.allocate(4100);
        framed.put(50, good);
        assertThat(verifier.matches(hashOf(good), framed, 50, 4000)).isTrue();
    }
}
