package ccbt.io.wire;

import ccbt.core.InfoHash;
import ccbt.core.PeerId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HandshakeTest {
    private static final InfoHash HASH = InfoHash.fromHex("0123456789abcdef0123456789abcdef01234567");

    @Test
    void writesTheBep3LayoutWithFastAndExtensionBits() {
        final PeerId id = PeerId.generate();
        final ByteBuf buf = Unpooled.buffer();
        Handshake.ours(HASH, id).writeTo(buf);
        final byte[] raw = new byte[buf.readableBytes()];
        buf.getBytes(0, raw);
        assertThat(raw).hasSize(68);
        assertThat(raw[0]).isEqualTo((byte) 19);
        assertThat(new String(raw, 1, 19, StandardCharsets.US_ASCII)).isEqualTo("BitTorrent protocol");
        // BEP 10: reserved byte 5 has 0x10; BEP 6: reserved byte 7 has 0x04.
        assertThat(new byte[] {raw[20], raw[21], raw[22], raw[23], raw[24], raw[25], raw[26], raw[27]})
            .containsExactly(0, 0, 0, 0, 0, 0x10, 0, 0x04);
        assertThat(HASH.matches(raw, 28)).isTrue();
        final Handshake back = Handshake.read(buf);
        assertThat(back).isEqualTo(Handshake.ours(HASH, id));
        assertThat(back.supportsFast()).isTrue();
        assertThat(back.supportsExtensions()).isTrue();
        assertThat(back.supportsDht()).isFalse();
        assertThat(buf.isReadable()).isFalse();
    }

    @Test
    void readsReservedBitsOfOtherClients() {
        final Handshake dhtOnly = new Handshake(HASH, PeerId.generate(), 0x01L);
        assertThat(dhtOnly.supportsDht()).isTrue();
        assertThat(dhtOnly.supportsFast()).isFalse();
        assertThat(dhtOnly.supportsExtensions()).isFalse();
    }

    @Test
    void refusesAnotherProtocolFromItsFirstBytes() {
        final ByteBuf http = Unpooled.copiedBuffer("GET / HTTP/1.1", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> Handshake.checkPrefix(http))
            .isInstanceOf(PeerProtocolException.class)
            .hasMessage("handshake protocol length 71 is not 19 (not a BitTorrent peer)");
        final ByteBuf almost = Unpooled.buffer();
        almost.writeByte(19).writeBytes("BitTorrent protocoX".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> Handshake.checkPrefix(almost))
            .hasMessage("handshake protocol string differs from 'BitTorrent protocol' at byte 19");
        final ByteBuf partial = Unpooled.buffer();
        partial.writeByte(19).writeBytes("BitTor".getBytes(StandardCharsets.US_ASCII));
        Handshake.checkPrefix(partial);
        assertThat(partial.readerIndex()).isZero();
    }
}
