package ccbt.xet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.xet.XetChunkHasher;
import ccbt.xet.format.ChunkList;
import ccbt.xet.hash.XetHash;
import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever a peer sends, the only exception that escapes the ut_xet receive path is {@link XetWireException}
 * (no index, arithmetic or allocation failure), and a message that is accepted reads back consistently.
 */
class XetWireFuzzTest {
    private static final List<byte[]> VALID = XetMessageCodecTest.everyMessage();

    /** Runs a received payload through everything a receiver does with it. */
    private static void receive(final byte[] payload, final XetRequestTracker tracker) {
        final XetMessageDecoder d = new XetMessageDecoder().wrap(ByteBuffer.wrap(payload), 0, payload.length);
        assertThat(d.length()).isEqualTo(payload.length);
        switch (d.type()) {
            case XetWireDescriptor.CHUNK_RESPONSE -> {
                final XetHash requested = tracker.takeChunk(d.requestId());
                assertThat(d.chunkDataOffset() + d.chunkDataLength()).isEqualTo(payload.length);
                new XetChunkVerifier().verifyResponse(d, requested);
            }
            case XetWireDescriptor.CHUNK_LIST_RESPONSE -> {
                final int file = tracker.takeChunkList(d.requestId());
                new XetChunkListAssembler(file, XetHash.ZERO, 1 << 20).accept(d);
            }
            case XetWireDescriptor.CHUNK_NOT_FOUND -> tracker.kindOf(d.requestId());
            case XetWireDescriptor.CHUNK_ERROR -> {
                tracker.kindOf(d.requestId());
                assertThat(d.errorMessage()).isNotNull();
            }
            case XetWireDescriptor.CHUNK_REQUEST -> assertThat(d.chunkHash()).isNotNull();
            case XetWireDescriptor.CHUNK_LIST_REQUEST -> assertThat(d.fileIndex()).isGreaterThanOrEqualTo(-1);
            default -> throw new AssertionError("decoder accepted type " + d.type());
        }
    }

    private static XetRequestTracker trackerExpectingIds0To7() {
        final XetRequestTracker t = new XetRequestTracker(8, 1_000_000_000L);
        for (int i = 0; i < 8; i++) {
            if (i % 2 == 0) {
                t.requestChunk(XetHash.ZERO, 0);
            } else {
                t.requestChunkList(0, 0);
            }
        }
        return t;
    }

    private static void onlyWireExceptions(final byte[] payload) {
        try {
            receive(payload, trackerExpectingIds0To7());
        } catch (final XetWireException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 2000)
    void randomBytesOnlyEverRaiseXetWireException(@ForAll @Size(max = 300) final byte[] payload) {
        onlyWireExceptions(payload);
    }

    @Provide
    Arbitrary<byte[]> mutatedMessages() {
        return Arbitraries.integers().between(0, VALID.size() - 1).flatMap(i -> {
            final byte[] base = VALID.get(i);
            return Arbitraries.integers().between(0, base.length - 1).list().ofMaxSize(4).flatMap(positions ->
                    Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
                        final byte[] m = base.clone();
                        for (int k = 0; k < positions.size(); k++) {
                            m[positions.get(k)] = values.get(k);
                        }
                        return m;
                    }));
        });
    }

    @Property(tries = 2000)
    void mutatedValidMessagesOnlyEverRaiseXetWireException(@ForAll("mutatedMessages") final byte[] payload) {
        onlyWireExceptions(payload);
    }

    @Property(tries = 300)
    void truncatedOrExtendedValidMessagesAreRefused(@ForAll @IntRange(min = 0, max = 5) final int which,
                                                    @ForAll @IntRange(min = -60, max = 60) final int delta) {
        final byte[] base = VALID.get(which);
        final int length = Math.max(0, base.length + delta);
        final byte[] m = java.util.Arrays.copyOf(base, length);
        if (length == base.length) {
            new XetMessageDecoder().wrap(ByteBuffer.wrap(m), 0, length);
        } else {
            try {
                new XetMessageDecoder().wrap(ByteBuffer.wrap(m), 0, length);
                throw new AssertionError(length + " bytes of a " + base.length + "-byte message were accepted");
            } catch (final XetWireException expected) {
                assertThat(expected.getMessage()).containsAnyOf("truncated", "overlong");
            }
        }
    }

    @Property(tries = 100)
    void aChunkListWithAnyByteChangedIsNeverAccepted(@ForAll @IntRange(min = 0, max = 10_000) final int position,
                                                     @ForAll @IntRange(min = 1, max = 255) final int xor) {
        final XetChunkHasher h = new XetChunkHasher(null);
        final byte[] data = XetMessageCodecTest.random(200_000, 5);
        h.update(data, 0, data.length);
        h.finish();
        final byte[] list = ChunkList.of(h.chunks()).serialize();
        final int at = position % list.length;
        list[at] ^= (byte) xor;
        final ByteBuffer frame = ByteBuffer.allocate(XetWireDescriptor.chunkListResponseLength(list.length));
        final XetMessageDecoder d = new XetMessageDecoder()
                .wrap(frame, 0, XetMessageEncoder.chunkListResponse(frame, 0, 1, 0, list, 0, list.length));
        final XetChunkListAssembler a = new XetChunkListAssembler(0, h.fileHash(), data.length);
        try {
            a.accept(d);
            throw new AssertionError("a list with byte " + at + " changed was accepted");
        } catch (final XetWireException expected) {
            assertThat(a.chunkList()).isNull();
        }
    }
}
