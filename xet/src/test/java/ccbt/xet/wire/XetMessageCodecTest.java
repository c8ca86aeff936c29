package ccbt.xet.wire;

import static ccbt.xet.wire.XetWireDescriptor.CHUNK_DATA_LENGTH_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.CHUNK_DATA_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.ERROR_MESSAGE_LENGTH_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.FRAGMENT_LENGTH_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.FRAGMENT_OFFSET_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.LIST_LENGTH_OFFSET;
import static ccbt.xet.wire.XetWireDescriptor.MAX_CHUNK_LENGTH;
import static ccbt.xet.wire.XetWireDescriptor.MAX_LIST_FRAGMENT_LENGTH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.xet.hash.XetHash;
import ccbt.xet.hash.XetHashes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every ut_xet message survives encode → decode, on every kind of buffer; every malformed one is refused. */
class XetMessageCodecTest {
    private static final int AT = 7; // messages are written at an offset, as inside a larger frame

    /** Heap and direct buffers, in both byte orders: the layout is big-endian whatever the buffer says. */
    static Stream<Function<Integer, ByteBuffer>> buffers() {
        return Stream.of(ByteBuffer::allocate, ByteBuffer::allocateDirect,
                n -> ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN),
                n -> ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN));
    }

    static byte[] random(final int n, final long seed) {
        final byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static XetHash hashOf(final byte[] data) {
        return XetHashes.chunkHash(data, 0, data.length);
    }

    private final XetMessageDecoder decoder = new XetMessageDecoder();

    @ParameterizedTest
    @MethodSource("buffers")
    void chunkRequestRoundTrips(final Function<Integer, ByteBuffer> alloc) {
        final ByteBuffer b = alloc.apply(64);
        final XetHash h = hashOf(random(100, 1));
        final int n = XetMessageEncoder.chunkRequest(b, AT, 0xFFFF_FFFE, h);
        assertThat(n).isEqualTo(37);
        decoder.wrap(b, AT, n);
        assertThat(decoder.type()).isEqualTo(XetWireDescriptor.CHUNK_REQUEST);
        assertThat(decoder.requestId()).isEqualTo(0xFFFF_FFFE);
        assertThat(decoder.chunkHash()).isEqualTo(h);
        assertThat(decoder.chunkHashEquals(h)).isTrue();
        assertThat(decoder.chunkHashEquals(hashOf(random(100, 2)))).isFalse();
        assertThat(b.get(AT)).isEqualTo((byte) 1);
        assertThat(b.get(AT + 1)).isEqualTo((byte) 0xFF); // big-endian id
        assertThat(b.get(AT + 4)).isEqualTo((byte) 0xFE);
    }

    @ParameterizedTest
    @MethodSource("buffers")
    void chunkResponseRoundTripsAndHandsTheDataAsASlice(final Function<Integer, ByteBuffer> alloc) {
        for (final int len : new int[] {1, 8192, MAX_CHUNK_LENGTH}) {
            final byte[] data = random(len, len);
            final ByteBuffer b = alloc.apply(AT + CHUNK_DATA_OFFSET + len);
            final int n = XetMessageEncoder.chunkResponse(b, AT, 42, hashOf(data), ByteBuffer.wrap(data), 0, len);
            assertThat(n).isEqualTo(XetWireDescriptor.chunkResponseLength(len));
            decoder.wrap(b, AT, n);
            assertThat(decoder.type()).isEqualTo(XetWireDescriptor.CHUNK_RESPONSE);
            assertThat(decoder.requestId()).isEqualTo(42);
            assertThat(decoder.chunkHash()).isEqualTo(hashOf(data));
            assertThat(decoder.chunkDataLength()).isEqualTo(len);
            assertThat(decoder.chunkDataOffset()).isEqualTo(AT + CHUNK_DATA_OFFSET);
            final ByteBuffer slice = decoder.chunkData();
            assertThat(slice.remaining()).isEqualTo(len);
            final byte[] got = new byte[len];
            slice.get(got);
            assertThat(got).isEqualTo(data);
            b.put(AT + CHUNK_DATA_OFFSET, (byte) ~data[0]); // a slice, not a copy
            assertThat(decoder.chunkData().get(0)).isEqualTo((byte) ~data[0]);
        }
    }

    @ParameterizedTest
    @MethodSource("buffers")
    void chunkResponseHeaderLetsTheDataFollowSeparately(final Function<Integer, ByteBuffer> alloc) {
        final byte[] data = random(5000, 3);
        final ByteBuffer b = alloc.apply(CHUNK_DATA_OFFSET + data.length);
        final int h = XetMessageEncoder.chunkResponseHeader(b, 0, 9, hashOf(data), data.length);
        assertThat(h).isEqualTo(CHUNK_DATA_OFFSET);
        b.put(h, data);
        decoder.wrap(b, 0, h + data.length);
        assertThat(new XetChunkVerifier().matches(hashOf(data), b, decoder.chunkDataOffset(), decoder.chunkDataLength()))
                .isTrue();
    }

    @ParameterizedTest
    @MethodSource("buffers")
    void notFoundAndErrorRoundTrip(final Function<Integer, ByteBuffer> alloc) {
        final ByteBuffer b = alloc.apply(2048);
        int n = XetMessageEncoder.chunkNotFound(b, AT, 5);
        decoder.wrap(b, AT, n);
        assertThat(n).isEqualTo(5);
        assertThat(decoder.type()).isEqualTo(XetWireDescriptor.CHUNK_NOT_FOUND);
        assertThat(decoder.requestId()).isEqualTo(5);

        n = XetMessageEncoder.chunkError(b, AT, 6, XetWireDescriptor.ERROR_BUSY, "busy: 64 requests queued ü");
        decoder.wrap(b, AT, n);
        assertThat(decoder.type()).isEqualTo(XetWireDescriptor.CHUNK_ERROR);
        assertThat(decoder.requestId()).isEqualTo(6);
        assertThat(decoder.errorCode()).isEqualTo(XetWireDescriptor.ERROR_BUSY);
        assertThat(decoder.errorMessage()).isEqualTo("busy: 64 requests queued ü");

        // a long text is cut to 1024 bytes without splitting a character
        n = XetMessageEncoder.chunkError(b, AT, 7, 0xFFFF, "x" + "é".repeat(600));
        decoder.wrap(b, AT, n);
        assertThat(decoder.errorCode()).isEqualTo(0xFFFF);
        assertThat(decoder.errorMessage()).isEqualTo("x" + "é".repeat(511));
    }

    @ParameterizedTest
    @MethodSource("buffers")
    void chunkListRequestAndResponseRoundTrip(final Function<Integer, ByteBuffer> alloc) {
        final ByteBuffer b = alloc.apply(AT + XetWireDescriptor.MAX_MESSAGE_LENGTH);
        int n = XetMessageEncoder.chunkListRequest(b, AT, 11, 3, 524_288);
        assertThat(n).isEqualTo(13);
        decoder.wrap(b, AT, n);
        assertThat(decoder.type()).isEqualTo(XetWireDescriptor.CHUNK_LIST_REQUEST);
        assertThat(decoder.requestId()).isEqualTo(11);
        assertThat(decoder.fileIndex()).isEqualTo(3);
        assertThat(decoder.listRequestOffset()).isEqualTo(524_288);

        final byte[] list = random(MAX_LIST_FRAGMENT_LENGTH + 1000, 4);
        final int f = XetMessageEncoder.fragmentLength(list.length, 0);
        assertThat(f).isEqualTo(MAX_LIST_FRAGMENT_LENGTH);
        n = XetMessageEncoder.chunkListResponse(b, AT, 12, 3, list, 0, f);
        decoder.wrap(b, AT, n);
        assertThat(n).isEqualTo(XetWireDescriptor.MAX_MESSAGE_LENGTH);
        assertThat(decoder.type()).isEqualTo(XetWireDescriptor.CHUNK_LIST_RESPONSE);
        assertThat(decoder.fileIndex()).isEqualTo(3);
        assertThat(decoder.listLength()).isEqualTo(list.length);
        assertThat(decoder.fragmentOffset()).isZero();
        assertThat(decoder.fragmentLength()).isEqualTo(f);
        final byte[] got = new byte[f];
        b.get(decoder.fragmentDataOffset(), got);
        assertThat(got).isEqualTo(java.util.Arrays.copyOf(list, f));

        assertThat(XetMessageEncoder.fragmentLength(list.length, f)).isEqualTo(1000);
        assertThat(XetMessageEncoder.fragmentLength(list.length, list.length)).isZero();
        n = XetMessageEncoder.chunkListResponse(b, AT, 13, 3, list, f, 1000);
        decoder.wrap(b, AT, n);
        assertThat(decoder.fragmentOffset()).isEqualTo(f);
        assertThat(decoder.fragmentLength()).isEqualTo(1000);
    }

    /** A valid message of every type, as raw bytes. */
    static List<byte[]> everyMessage() {
        final ByteBuffer b = ByteBuffer.allocate(4096);
        final List<byte[]> out = new ArrayList<>();
        final byte[] data = random(1500, 9);
        final byte[] list = random(3000, 10);
        out.add(copy(b, XetMessageEncoder.chunkRequest(b, 0, 1, hashOf(data))));
        out.add(copy(b, XetMessageEncoder.chunkResponse(b, 0, 2, hashOf(data), ByteBuffer.wrap(data), 0, data.length)));
        out.add(copy(b, XetMessageEncoder.chunkNotFound(b, 0, 3)));
        out.add(copy(b, XetMessageEncoder.chunkError(b, 0, 4, 2, "no such file")));
        out.add(copy(b, XetMessageEncoder.chunkListRequest(b, 0, 5, 1, 0)));
        out.add(copy(b, XetMessageEncoder.chunkListResponse(b, 0, 6, 1, list, 1000, 2000)));
        return out;
    }

    private static byte[] copy(final ByteBuffer b, final int n) {
        final byte[] m = new byte[n];
        b.get(0, m);
        return m;
    }

    @Test
    void everyTruncationAndEveryExtraByteIsRefused() {
        for (final byte[] m : everyMessage()) {
            for (int len = 0; len < m.length; len++) {
                final int cut = len;
                assertThatThrownBy(() -> decoder.wrap(ByteBuffer.wrap(m), 0, cut)).as("%d of %d bytes", cut, m.length)
                        .isInstanceOf(XetWireException.class).hasMessageContaining("truncated");
            }
            final byte[] longer = java.util.Arrays.copyOf(m, m.length + 1);
            assertThatThrownBy(() -> decoder.wrap(ByteBuffer.wrap(longer), 0, longer.length))
                    .isInstanceOf(XetWireException.class).hasMessageContaining("overlong")
                    .hasMessageContaining(longer.length + " bytes, its fields take " + m.length);
            decoder.wrap(ByteBuffer.wrap(m), 0, m.length); // the original is fine
        }
    }

    @Test
    void anOversizedChunkIsRefusedFromItsLengthFieldBeforeItsBytesArrive() {
        final ByteBuffer b = ByteBuffer.allocate(CHUNK_DATA_OFFSET);
        XetMessageEncoder.chunkResponseHeader(b, 0, 1, hashOf(random(10, 1)), 10);
        b.putInt(CHUNK_DATA_LENGTH_OFFSET, MAX_CHUNK_LENGTH + 1);
        assertThatThrownBy(() -> decoder.wrap(b, 0, CHUNK_DATA_OFFSET)).isInstanceOf(XetWireException.class)
                .hasMessage("CHUNK_RESPONSE chunk length 131073 is not in [1, 131072]");
        b.putInt(CHUNK_DATA_LENGTH_OFFSET, -1);
        assertThatThrownBy(() -> decoder.wrap(b, 0, CHUNK_DATA_OFFSET)).isInstanceOf(XetWireException.class)
                .hasMessage("CHUNK_RESPONSE chunk length 4294967295 is not in [1, 131072]");
        b.putInt(CHUNK_DATA_LENGTH_OFFSET, 0);
        assertThatThrownBy(() -> decoder.wrap(b, 0, CHUNK_DATA_OFFSET)).isInstanceOf(XetWireException.class)
                .hasMessage("CHUNK_RESPONSE chunk length 0 is not in [1, 131072]");
        assertThatThrownBy(() -> XetMessageEncoder.chunkResponseHeader(b, 0, 1, hashOf(random(10, 1)), MAX_CHUNK_LENGTH + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnknownTypeIsRefused() {
        for (final int type : new int[] {0, 7, 255}) {
            final byte[] m = new byte[37];
            m[0] = (byte) type;
            assertThatThrownBy(() -> decoder.wrap(ByteBuffer.wrap(m), 0, m.length)).isInstanceOf(XetWireException.class)
                    .hasMessage("unknown ut_xet message type " + type + " (37 bytes)");
        }
    }

    @Test
    void oversizedErrorTextAndListFieldsAreRefused() {
        final ByteBuffer b = ByteBuffer.allocate(64);
        XetMessageEncoder.chunkError(b, 0, 1, 1, "");
        b.putShort(ERROR_MESSAGE_LENGTH_OFFSET, (short) 1025);
        assertThatThrownBy(() -> decoder.wrap(b, 0, 9)).isInstanceOf(XetWireException.class)
                .hasMessage("CHUNK_ERROR message length 1025 exceeds 1024");

        final ByteBuffer l = ByteBuffer.allocate(64);
        XetMessageEncoder.chunkListResponse(l, 0, 1, 0, new byte[100], 0, 10);
        l.putInt(LIST_LENGTH_OFFSET, XetWireDescriptor.MAX_LIST_LENGTH + 1);
        assertThatThrownBy(() -> decoder.wrap(l, 0, 31)).isInstanceOf(XetWireException.class)
                .hasMessageContaining("list length 268435457 exceeds 268435456");
        l.putInt(LIST_LENGTH_OFFSET, 100);
        l.putInt(FRAGMENT_OFFSET_OFFSET, 95);
        assertThatThrownBy(() -> decoder.wrap(l, 0, 31)).isInstanceOf(XetWireException.class)
                .hasMessageContaining("fragment [95, 105) runs past the list length 100");
        l.putInt(FRAGMENT_OFFSET_OFFSET, 0);
        l.putInt(FRAGMENT_LENGTH_OFFSET, MAX_LIST_FRAGMENT_LENGTH + 1);
        assertThatThrownBy(() -> decoder.wrap(l, 0, 31)).isInstanceOf(XetWireException.class)
                .hasMessageContaining("fragment length 524289 is not in [1, 524288]");
        l.putInt(FRAGMENT_LENGTH_OFFSET, 0);
        assertThatThrownBy(() -> decoder.wrap(l, 0, 21)).isInstanceOf(XetWireException.class)
                .hasMessageContaining("fragment length 0 is not in");
    }

    @Test
    void aRefusedMessageLeavesNothingReadable() {
        final byte[] m = everyMessage().getFirst();
        decoder.wrap(ByteBuffer.wrap(m), 0, m.length);
        assertThatThrownBy(() -> decoder.wrap(ByteBuffer.wrap(m), 0, 3)).isInstanceOf(XetWireException.class);
        assertThatThrownBy(decoder::requestId).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void fieldsOfAnotherTypeAreNotReadable() {
        final byte[] m = everyMessage().get(2); // CHUNK_NOT_FOUND
        decoder.wrap(ByteBuffer.wrap(m), 0, m.length);
        assertThatThrownBy(decoder::chunkData).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CHUNK_NOT_FOUND has no such field");
        assertThatThrownBy(decoder::fileIndex).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aMessageThatDoesNotFitIsNotWritten() {
        final ByteBuffer b = ByteBuffer.allocate(40);
        assertThatThrownBy(() -> XetMessageEncoder.chunkRequest(b, 4, 1, hashOf(new byte[1])))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(b.array()).containsOnly(0);
    }
}
