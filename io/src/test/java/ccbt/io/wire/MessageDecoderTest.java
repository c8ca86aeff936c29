package ccbt.io.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageDecoderTest {
    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private final List<ByteBuf> buffers = new ArrayList<>();

    @AfterEach
    void releaseAll() {
        for (final ByteBuf b : buffers) {
            assertThat(b.refCnt()).as("a slice handed to the handler was not released").isEqualTo(1);
            b.release();
        }
    }

    private ByteBuf buffer(final Consumer<ByteBuf> writer) {
        final ByteBuf b = ALLOC.directBuffer(256);
        buffers.add(b);
        writer.accept(b);
        return b;
    }

    private static MessageDecoder decoder(final int pieceCount) {
        return new MessageDecoder(WireLimits.defaults(), true, true, pieceCount);
    }

    private static List<String> decodeAll(final MessageDecoder decoder, final ByteBuf in) {
        final RecordingHandler h = new RecordingHandler();
        decoder.decode(in, h);
        return h.events;
    }

    @Test
    void decodesEveryMessage() {
        final ByteBuf in = buffer(b -> {
            MessageWriter.keepAlive(b);
            MessageWriter.idOnly(b, WireFormat.CHOKE);
            MessageWriter.idOnly(b, WireFormat.UNCHOKE);
            MessageWriter.idOnly(b, WireFormat.INTERESTED);
            MessageWriter.idOnly(b, WireFormat.NOT_INTERESTED);
            MessageWriter.bitfield(b, new byte[] {(byte) 0xa0});
            MessageWriter.index(b, WireFormat.HAVE, 7);
            MessageWriter.blockRef(b, WireFormat.REQUEST, 1, 16384, 16384);
            MessageWriter.pieceHeader(b, 2, 32768, 3);
            b.writeBytes(new byte[] {1, 2, 3});
            MessageWriter.blockRef(b, WireFormat.CANCEL, 1, 16384, 16384);
            MessageWriter.port(b, 6881);
            MessageWriter.index(b, WireFormat.SUGGEST, 3);
            MessageWriter.blockRef(b, WireFormat.REJECT, 4, 0, 16384);
            MessageWriter.index(b, WireFormat.ALLOWED_FAST, 5);
            MessageWriter.extendedHeader(b, 3, 2);
            b.writeBytes(new byte[] {(byte) 0xca, (byte) 0xfe});
        });
        final MessageDecoder decoder = decoder(8);
        assertThat(decodeAll(decoder, in)).containsExactly(
            "keep-alive", "choke", "unchoke", "interested", "not interested", "bitfield a0", "have 7",
            "request 1 16384 16384", "piece 2 32768 010203", "cancel 1 16384 16384", "port 6881", "suggest 3",
            "reject 4 0 16384", "allowed fast 5", "extended 3 cafe");
        assertThat(in.isReadable()).isFalse();
        assertThat(decoder.payloadBytes()).isEqualTo(3);
    }

    @Test
    void decodesHaveAllAndHaveNone() {
        assertThat(decodeAll(decoder(8), buffer(b -> MessageWriter.idOnly(b, WireFormat.HAVE_ALL))))
            .containsExactly("have all");
        assertThat(decodeAll(decoder(8), buffer(b -> MessageWriter.idOnly(b, WireFormat.HAVE_NONE))))
            .containsExactly("have none");
    }

    @Test
    void decodesTheExtensionHandshake() {
        final byte[] payload = ExtensionHandshake.ours(6881, 500).withExtension("ut_metadata", 2).encode();
        final ByteBuf in = buffer(b -> {
            MessageWriter.extendedHeader(b, 0, payload.length);
            b.writeBytes(payload);
        });
        assertThat(decodeAll(decoder(0), in)).containsExactly(
            "extension handshake ExtensionHandshake[m={ut_metadata=2}, p=6881, v=ccbt 0.1, reqq=500]");
    }

    @Test
    void waitsForTruncatedMessagesByteByByte() {
        final ByteBuf whole = buffer(b -> {
            MessageWriter.blockRef(b, WireFormat.REQUEST, 1, 0, 16384);
            MessageWriter.pieceHeader(b, 0, 0, 4);
            b.writeInt(0xdeadbeef);
        });
        final ByteBuf in = buffer(b -> { });
        final MessageDecoder decoder = decoder(0);
        final RecordingHandler h = new RecordingHandler();
        final int total = whole.readableBytes();
        for (int i = 0; i < total; i++) {
            in.writeByte(whole.getByte(i));
            decoder.decode(in, h);
            if (i < 16) {
                assertThat(h.events).as("after %d bytes", i + 1).isEmpty();
            }
        }
        assertThat(h.events).containsExactly("request 1 0 16384", "piece 0 0 deadbeef");
    }

    @Test
    void refusesAOneGibiByteLengthBeforeBuffering() {
        final ByteBuf in = buffer(b -> b.writeInt(1 << 30));
        assertThatThrownBy(() -> decodeAll(decoder(0), in))
            .isInstanceOf(PeerProtocolException.class)
            .hasMessageStartingWith("message length 1073741824 exceeds limit ");
    }

    @Test
    void refusesANegativeLengthAsUnsigned() {
        final ByteBuf in = buffer(b -> b.writeInt(-1));
        assertThatThrownBy(() -> decodeAll(decoder(0), in))
            .isInstanceOf(PeerProtocolException.class)
            .hasMessageStartingWith("message length 4294967295 exceeds limit");
    }

    @Test
    void refusesAnOversizedPieceFromItsHeaderAlone() {
        // Only the prefix and the id have arrived; the limit is checked before waiting for 32 KiB.
        final ByteBuf in = buffer(b -> {
            b.writeInt(9 + 32 * 1024);
            b.writeByte(WireFormat.PIECE);
        });
        assertThatThrownBy(() -> decodeAll(decoder(0), in))
            .isInstanceOf(PeerProtocolException.class)
            .hasMessage("piece message length 32777 outside 10..16393");
    }

    @Test
    void refusesAnEmptyBlock() {
        final ByteBuf in = buffer(b -> MessageWriter.pieceHeader(b, 0, 0, 0));
        assertThatThrownBy(() -> decodeAll(decoder(0), in)).hasMessage("piece message length 9 outside 10..16393");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0 | 2 | choke message length 2, expected 1",
        "1 | 5 | unchoke message length 5, expected 1",
        "2 | 2 | interested message length 2, expected 1",
        "3 | 3 | not interested message length 3, expected 1",
        "4 | 4 | have message length 4, expected 5",
        "6 | 12 | request message length 12, expected 13",
        "8 | 17 | cancel message length 17, expected 13",
        "9 | 5 | port message length 5, expected 3",
        "13 | 1 | suggest message length 1, expected 5",
        "14 | 2 | have all message length 2, expected 1",
        "15 | 5 | have none message length 5, expected 1",
        "16 | 9 | reject message length 9, expected 13",
        "17 | 6 | allowed fast message length 6, expected 5",
        "20 | 1 | extended message length 1 outside 2..1048576",
        "20 | 1048577 | message length 1048577 exceeds limit 1048576",
        "21 | 5 | unknown message id 21 (length 5)",
        "99 | 1 | unknown message id 99 (length 1)",
        "255 | 3 | unknown message id 255 (length 3)",
    })
    void refusesWrongLengthsAndUnknownIds(final int id, final int length, final String message) {
        final ByteBuf in = buffer(b -> {
            b.writeInt(length);
            b.writeByte(id);
        });
        assertThatThrownBy(() -> decodeAll(decoder(0), in))
            .isInstanceOf(PeerProtocolException.class)
            .hasMessage(message);
    }

    @Test
    void refusesRequestsOfOneMebiByteOrNothing() {
        assertThatThrownBy(() -> decodeAll(decoder(0),
            buffer(b -> MessageWriter.blockRef(b, WireFormat.REQUEST, 0, 0, 1024 * 1024))))
            .isInstanceOf(PeerProtocolException.class)
            .hasMessage("request length 1048576 outside 1..131072");
        assertThatThrownBy(() -> decodeAll(decoder(0),
            buffer(b -> MessageWriter.blockRef(b, WireFormat.REQUEST, 0, 0, 0))))
            .hasMessage("request length 0 outside 1..131072");
        assertThatThrownBy(() -> decodeAll(decoder(0),
            buffer(b -> MessageWriter.blockRef(b, WireFormat.REQUEST, 0, -16384, 16384))))
            .hasMessage("request offset 4294950912 is beyond any piece");
    }

    @Test
    void acceptsARequestOfExactly128KiB() {
        assertThat(decodeAll(decoder(0), buffer(b -> MessageWriter.blockRef(b, WireFormat.REQUEST, 0, 0, 131072))))
            .containsExactly("request 0 0 131072");
    }

    @Test
    void checksPieceIndexesAgainstAKnownPieceCount() {
        assertThatThrownBy(() -> decodeAll(decoder(10), buffer(b -> MessageWriter.index(b, WireFormat.HAVE, 10))))
            .isInstanceOf(PeerProtocolException.class)
            .hasMessage("have piece index 10 out of range 0..9");
        assertThatThrownBy(() -> decodeAll(decoder(0), buffer(b -> MessageWriter.index(b, WireFormat.HAVE, -2))))
            .hasMessage("have piece index 4294967294 out of range");
        assertThatThrownBy(() -> decodeAll(decoder(10),
            buffer(b -> MessageWriter.blockRef(b, WireFormat.REQUEST, 12, 0, 16384))))
            .hasMessage("request piece index 12 out of range 0..9");
    }

    @Test
    void checksBitfieldLengthAndSpareBitsAgainstAKnownPieceCount() {
        assertThatThrownBy(() -> decodeAll(decoder(10), buffer(b -> MessageWriter.bitfield(b, new byte[3]))))
            .isInstanceOf(PeerProtocolException.class)
            .hasMessage("bitfield message length 4, expected 3");
        assertThatThrownBy(() -> decodeAll(decoder(10),
            buffer(b -> MessageWriter.bitfield(b, new byte[] {(byte) 0xff, (byte) 0xe0}))))
            .hasMessage("bitfield has spare bits set after piece 9: last byte 0xe0");
        assertThat(decodeAll(decoder(10), buffer(b -> MessageWriter.bitfield(b, new byte[] {(byte) 0xff, (byte) 0xc0}))))
            .containsExactly("bitfield ffc0");
    }

    @Test
    void refusesABitfieldLargerThanTheLimitWhileThePieceCountIsUnknown() {
        final WireLimits limits = new WireLimits(16384, 131072, 800, 1024, WireLimits.defaults().handshakeTimeout());
        final ByteBuf in = buffer(b -> {
            b.writeInt(102);
            b.writeByte(WireFormat.BITFIELD);
        });
        assertThatThrownBy(() -> new MessageDecoder(limits, true, true, 0).decode(in, new RecordingHandler()))
            .hasMessage("bitfield message length 102 outside 2..101");
    }

    @Test
    void refusesASecondBitfieldOrHaveAll() {
        final ByteBuf in = buffer(b -> {
            MessageWriter.bitfield(b, new byte[] {1});
            MessageWriter.idOnly(b, WireFormat.HAVE_ALL);
        });
        final RecordingHandler h = new RecordingHandler();
        assertThatThrownBy(() -> decoder(8).decode(in, h))
            .hasMessage("have all after an earlier bitfield, have all or have none");
        assertThat(h.events).containsExactly("bitfield 01");
    }

    @Test
    void acceptsBitfieldsAfterHaveNoneAsAria2SendsThem() {
        final ByteBuf in = buffer(b -> {
            MessageWriter.idOnly(b, WireFormat.HAVE_NONE);
            MessageWriter.bitfield(b, new byte[] {8});
            MessageWriter.bitfield(b, new byte[] {9});
        });
        final RecordingHandler h = new RecordingHandler();
        decoder(8).decode(in, h);
        assertThat(h.events).containsExactly("have none", "bitfield 08", "bitfield 09");
    }

    @Test
    void refusesFastMessagesFromAPeerWithoutTheFastExtension() {
        final MessageDecoder plain = new MessageDecoder(WireLimits.defaults(), false, true, 0);
        assertThatThrownBy(() -> plain.decode(buffer(b -> MessageWriter.idOnly(b, WireFormat.HAVE_ALL)),
            new RecordingHandler()))
            .isInstanceOf(PeerProtocolException.class)
            .hasMessage("have all from a peer that did not announce the fast extension");
        assertThatThrownBy(() -> plain.decode(buffer(b -> MessageWriter.blockRef(b, WireFormat.REJECT, 0, 0, 1)),
            new RecordingHandler()))
            .hasMessage("reject from a peer that did not announce the fast extension");
    }

    @Test
    void refusesExtendedMessagesFromAPeerWithoutExtensions() {
        final MessageDecoder plain = new MessageDecoder(WireLimits.defaults(), true, false, 0);
        assertThatThrownBy(() -> plain.decode(buffer(b -> {
            MessageWriter.extendedHeader(b, 1, 1);
            b.writeByte(0);
        }), new RecordingHandler()))
            .hasMessage("extended message from a peer that did not announce BEP 10");
    }

    @Test
    void refusesAMalformedExtensionHandshake() {
        assertThatThrownBy(() -> decodeAll(decoder(0), buffer(b -> {
            MessageWriter.extendedHeader(b, 0, 3);
            b.writeBytes(new byte[] {'d', '1', ':'});
        })))
            .isInstanceOf(PeerProtocolException.class)
            .hasMessageStartingWith("malformed extension handshake: ");
    }

    @Test
    void stopEndsDecodingAfterTheCurrentMessage() {
        final ByteBuf in = buffer(b -> {
            MessageWriter.idOnly(b, WireFormat.CHOKE);
            MessageWriter.idOnly(b, WireFormat.UNCHOKE);
        });
        final MessageDecoder decoder = decoder(0);
        final List<String> seen = new ArrayList<>();
        decoder.decode(in, new PeerHandler() {
            @Override
            public void onChoke() {
                seen.add("choke");
                decoder.stop();
            }

            @Override
            public void onUnchoke() {
                seen.add("unchoke");
            }
        });
        assertThat(seen).containsExactly("choke");
        assertThat(in.readableBytes()).isEqualTo(5);
    }

    // ---------------------------------------------------------------- properties

    /** One message as (writer, expected event). */
    record Msg(Consumer<ByteBuf> writer, String event) {
        @Override
        public String toString() {
            return event;
        }
    }

    @Provide
    Arbitrary<List<Msg>> messages() {
        final Arbitrary<Integer> piece = Arbitraries.integers().between(0, 99);
        final Arbitrary<Integer> offset = Arbitraries.integers().between(0, 1 << 20);
        final Arbitrary<Integer> length = Arbitraries.integers().between(1, 131072);
        final Arbitrary<Msg> have = piece.map(p -> new Msg(b -> MessageWriter.index(b, WireFormat.HAVE, p), "have " + p));
        final Arbitrary<Msg> request = Combinators.combine(piece, offset, length).as((p, o, l) ->
            new Msg(b -> MessageWriter.blockRef(b, WireFormat.REQUEST, p, o, l), "request " + p + " " + o + " " + l));
        final Arbitrary<Msg> block = Combinators.combine(piece, offset,
            Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64)).as((p, o, d) ->
            new Msg(b -> {
                MessageWriter.pieceHeader(b, p, o, d.length);
                b.writeBytes(d);
            }, "piece " + p + " " + o + " " + java.util.HexFormat.of().formatHex(d)));
        final Arbitrary<Msg> simple = Arbitraries.of(
            new Msg(b -> MessageWriter.idOnly(b, WireFormat.CHOKE), "choke"),
            new Msg(b -> MessageWriter.idOnly(b, WireFormat.UNCHOKE), "unchoke"),
            new Msg(b -> MessageWriter.keepAlive(b), "keep-alive"),
            new Msg(b -> MessageWriter.port(b, 6881), "port 6881"));
        return Arbitraries.oneOf(have, request, block, simple).list().ofMaxSize(30);
    }

    @Property(tries = 200)
    void decodesTheSameMessagesHoweverTheStreamIsSplit(@ForAll("messages") final List<Msg> msgs,
                                                       @ForAll("splits") final List<Integer> splits) {
        final ByteBuf whole = ALLOC.directBuffer();
        final ByteBuf in = ALLOC.directBuffer();
        try {
            for (final Msg m : msgs) {
                m.writer().accept(whole);
            }
            final MessageDecoder decoder = decoder(100);
            final RecordingHandler h = new RecordingHandler();
            int pos = 0;
            for (final int split : splits) {
                final int n = Math.min(split, whole.readableBytes() - pos);
                in.writeBytes(whole, pos, n);
                pos += n;
                decoder.decode(in, h);
            }
            in.writeBytes(whole, pos, whole.readableBytes() - pos);
            decoder.decode(in, h);
            assertThat(h.events).containsExactlyElementsOf(msgs.stream().map(Msg::event).toList());
            assertThat(in.isReadable()).isFalse();
        } finally {
            whole.release();
            in.release();
        }
    }

    @Property(tries = 200)
    void decodesReadsTheSameWhereverTheyAreCut(@ForAll("messages") final List<Msg> msgs,
                                               @ForAll("splits") final List<Integer> splits) {
        final ByteBuf whole = ALLOC.directBuffer();
        final MessageDecoder decoder = decoder(100);
        try {
            for (final Msg m : msgs) {
                m.writer().accept(whole);
            }
            final RecordingHandler h = new RecordingHandler();
            int pos = 0;
            for (int i = 0; i <= splits.size(); i++) {
                final int n = i < splits.size() ? Math.min(splits.get(i), whole.readableBytes() - pos)
                    : whole.readableBytes() - pos;
                // Each read is a buffer of its own, released after decoding, as the socket hands them over.
                final ByteBuf read = ALLOC.directBuffer(Math.max(n, 1));
                read.writeBytes(whole, pos, n);
                pos += n;
                decoder.decodeRead(read, h, ALLOC);
                assertThat(read.isReadable()).as("decodeRead leaves nothing in the read").isFalse();
                assertThat(read.refCnt()).isEqualTo(1);
                read.release();
            }
            assertThat(h.events).containsExactlyElementsOf(msgs.stream().map(Msg::event).toList());
            assertThat(decoder.carried()).isZero();
        } finally {
            decoder.releaseCarry();
            whole.release();
        }
    }

    @Test
    void carriesOnlyTheMessageSplitAcrossReads() {
        final MessageDecoder decoder = decoder(8);
        final RecordingHandler h = new RecordingHandler();
        final ByteBuf first = buffer(b -> {
            MessageWriter.pieceHeader(b, 1, 0, 4);
            b.writeBytes(new byte[] {1, 2, 3, 4});
            MessageWriter.pieceHeader(b, 2, 0, 4);
            b.writeBytes(new byte[] {5, 6});
        });
        decoder.decodeRead(first, h, ALLOC);
        assertThat(h.events).containsExactly("piece 1 0 01020304");
        assertThat(decoder.carried()).isEqualTo(13 + 2);
        final ByteBuf second = buffer(b -> {
            b.writeBytes(new byte[] {7, 8});
            MessageWriter.index(b, WireFormat.HAVE, 3);
            b.writeBytes(new byte[] {0, 0});
        });
        decoder.decodeRead(second, h, ALLOC);
        assertThat(h.events).containsExactly("piece 1 0 01020304", "piece 2 0 05060708", "have 3");
        assertThat(decoder.carried()).isEqualTo(2);
        decoder.releaseCarry();
        assertThat(decoder.carried()).isZero();
    }

    @Test
    void neverWritesOverACarriedBlockAHandlerKept() {
        final MessageDecoder decoder = decoder(8);
        final List<ByteBuf> kept = new ArrayList<>();
        final RecordingHandler h = new RecordingHandler() {
            @Override
            public void onPiece(final int piece, final int offset, final ByteBuf data) {
                super.onPiece(piece, offset, data);
                kept.add(data.retain());
            }
        };
        // A block split across reads and completed from the carry, followed by the start of another one.
        decoder.decodeRead(buffer(b -> {
            MessageWriter.pieceHeader(b, 1, 0, 4);
            b.writeBytes(new byte[] {1, 2});
        }), h, ALLOC);
        decoder.decodeRead(buffer(b -> {
            b.writeBytes(new byte[] {3, 4});
            MessageWriter.pieceHeader(b, 2, 0, 4);
            b.writeBytes(new byte[] {5});
        }), h, ALLOC);
        decoder.decodeRead(buffer(b -> b.writeBytes(new byte[] {6, 7, 8})), h, ALLOC);
        try {
            assertThat(h.events).containsExactly("piece 1 0 01020304", "piece 2 0 05060708");
            assertThat(ByteBufUtil.hexDump(kept.get(0))).isEqualTo("01020304");
            assertThat(ByteBufUtil.hexDump(kept.get(1))).isEqualTo("05060708");
        } finally {
            kept.forEach(ByteBuf::release);
            decoder.releaseCarry();
        }
    }

    @Provide
    Arbitrary<List<Integer>> splits() {
        return Arbitraries.integers().between(0, 40).list().ofMaxSize(20);
    }

    @Property(tries = 300)
    void neverFailsOtherwiseThanWithAProtocolException(@ForAll final byte[] garbage) {
        final ByteBuf in = ALLOC.directBuffer();
        try {
            in.writeBytes(garbage);
            try {
                decoder(50).decode(in, new RecordingHandler());
            } catch (final PeerProtocolException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        } finally {
            in.release();
        }
    }
}
