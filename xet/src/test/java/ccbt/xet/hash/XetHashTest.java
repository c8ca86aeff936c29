package ccbt.xet.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class XetHashTest {

    @Test
    void hexReversesTheBytesOfEachEightByteWord() {
        final byte[] raw = new byte[32];
        for (int i = 0; i < 32; i++) {
            raw[i] = (byte) i;
        }
        assertThat(XetHash.of(raw).hex()).isEqualTo(
                "0706050403020100" + "0f0e0d0c0b0a0908" + "1716151413121110" + "1f1e1d1c1b1a1918");
    }

    @Test
    void chunkHashOfZerosMatchesTheXetCoreOracle() {
        // Value printed by the xet-core wasm oracle (shared/xet-oracle) for a 131072-byte chunk of zeros.
        assertThat(XetHashes.chunkHash(new byte[131072], 0, 131072).hex())
                .isEqualTo("2e39f13c248013b27e22913ba2893a654120ed0ad8eb7ecbf3f05b9d708634fc");
    }

    @Property
    void hexRoundTrips(@ForAll @Size(32) byte[] raw) {
        final XetHash hash = XetHash.of(raw);
        assertThat(XetHash.fromHex(hash.hex())).isEqualTo(hash);
        assertThat(XetHash.fromHex(hash.hex().toUpperCase())).isEqualTo(hash);
        assertThat(hash.bytes()).isEqualTo(raw);
    }

    @Test
    void rejectsMalformedInput() {
        assertThatThrownBy(() -> XetHash.fromHex("abc")).hasMessageContaining("64 characters, got 3");
        assertThatThrownBy(() -> XetHash.fromHex("g".repeat(64))).hasMessageContaining("not a hex digit at 0");
        assertThatThrownBy(() -> XetHash.of(new byte[31])).hasMessageContaining("31");
        assertThatThrownBy(() -> XetHash.of(new byte[40], 9)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
