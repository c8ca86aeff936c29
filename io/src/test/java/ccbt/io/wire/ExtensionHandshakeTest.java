package ccbt.io.wire;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExtensionHandshakeTest {
    private static byte[] ascii(final String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void encodesOursAsCanonicalBencode() {
        final ExtensionHandshake ours = ExtensionHandshake.ours(6881, 500);
        assertThat(new String(ours.encode(), StandardCharsets.US_ASCII))
            .isEqualTo("d1:mde1:pi6881e4:reqqi500e1:v8:ccbt 0.1e");
        assertThat(new String(ours.withExtension("ut_pex", 1).encode(), StandardCharsets.US_ASCII))
            .isEqualTo("d1:md6:ut_pexi1ee1:pi6881e4:reqqi500e1:v8:ccbt 0.1e");
    }

    @Test
    void decodesTheBep10Example() {
        // Modelled on the example of BEP 10 (m with LT_metadata and ut_pex, p 6881, v "uTorrent 1.2").
        final ExtensionHandshake hs = ExtensionHandshake.decode(
            "d1:md11:LT_metadatai1e6:ut_pexi2ee1:pi6881e1:v12:uTorrent 1.2e".getBytes(StandardCharsets.UTF_8));
        assertThat(hs.extensions()).isEqualTo(Map.of("LT_metadata", 1, "ut_pex", 2));
        assertThat(hs.port()).isEqualTo(6881);
        assertThat(hs.client()).isEqualTo("uTorrent 1.2");
        assertThat(hs.reqq()).isEqualTo(ExtensionHandshake.DEFAULT_REQQ);
    }

    @Test
    void roundTrips() {
        final ExtensionHandshake ours = ExtensionHandshake.ours(51413, 2048).withExtension("ut_metadata", 3);
        final ExtensionHandshake back = ExtensionHandshake.decode(ours.encode());
        assertThat(back.extensions()).containsExactly(Map.entry("ut_metadata", 3));
        assertThat(back.port()).isEqualTo(51413);
        assertThat(back.reqq()).isEqualTo(2048);
        assertThat(back.client()).isEqualTo(ExtensionHandshake.CLIENT);
    }

    @Test
    void leavesOutDisabledAndOutOfRangeExtensionsAndBadPorts() {
        final ExtensionHandshake hs = ExtensionHandshake.decode(
            ascii("d1:md1:ai0e1:bi256e1:ci7e1:d3:xyze1:pi70000e4:reqqi-5ee"));
        assertThat(hs.extensions()).isEqualTo(Map.of("c", 7));
        assertThat(hs.port()).isZero();
        assertThat(hs.reqq()).isEqualTo(250);
        assertThat(hs.client()).isNull();
    }

    @Test
    void refusesWhatIsNotADictionary() {
        assertThatThrownBy(() -> ExtensionHandshake.decode(ascii("li1ee")))
            .isInstanceOf(PeerProtocolException.class)
            .hasMessage("extension handshake is not a dictionary");
        assertThatThrownBy(() -> ExtensionHandshake.decode(ascii("d1:pi1")))
            .isInstanceOf(PeerProtocolException.class)
            .hasMessageStartingWith("malformed extension handshake");
        assertThatThrownBy(() -> ExtensionHandshake.decode(ascii("d1:m3:abce")))
            .isInstanceOf(PeerProtocolException.class)
            .hasMessageStartingWith("malformed extension handshake");
    }

    @Test
    void refusesBadArgumentsForOurs() {
        assertThatThrownBy(() -> ExtensionHandshake.ours(70000, 10)).hasMessage("listen port out of range: 70000");
        assertThatThrownBy(() -> ExtensionHandshake.ours(1, 0)).hasMessage("reqq must be positive: 0");
        assertThatThrownBy(() -> ExtensionHandshake.ours(1, 1).withExtension("x", 0))
            .hasMessage("extension id for x must be 1..255: 0");
    }
}
