package ccbt.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BitfieldTest {
    @Test
    void wireOrderIsHighBitFirst() {
        Bitfield b = new Bitfield(10);
        b.set(0);
        b.set(9);
        assertThat(b.toBytes()).containsExactly(0x80, 0x40);
        assertThat(b.cardinality()).isEqualTo(2);
        assertThat(b.nextSetBit(1)).isEqualTo(9);
        assertThat(b.nextClearBit(0)).isEqualTo(1);
    }

    @Test
    void roundTripsThroughWire() {
        Bitfield b = new Bitfield(1000);
        for (int i = 0; i < 1000; i += 7) {
            b.set(i);
        }
        assertThat(Bitfield.fromWire(b.toBytes(), 1000)).isEqualTo(b);
        assertThat(Bitfield.fromWire(b.toBytes(), 1000).cardinality()).isEqualTo(b.cardinality());
    }

    @Test
    void refusesSpareBitsAndWrongLength() {
        assertThatThrownBy(() -> Bitfield.fromWire(new byte[] {(byte) 0xff, (byte) 0xff}, 10))
                .hasMessageContaining("spare bits");
        assertThatThrownBy(() -> Bitfield.fromWire(new byte[3], 10)).hasMessageContaining("expected 2");
    }

    @Test
    void completeAndClear() {
        Bitfield b = new Bitfield(3);
        b.setAll();
        assertThat(b.isComplete()).isTrue();
        assertThat(b.clear(1)).isTrue();
        assertThat(b.clear(1)).isFalse();
        assertThat(b.isComplete()).isFalse();
        assertThat(b.nextSetBit(1)).isEqualTo(2);
    }

    @Test
    void peerIdHasOurPrefix() {
        assertThat(new String(PeerId.generate().bytes(), 0, 8)).isEqualTo("-CB0001-");
        assertThat(UrlBytes.encode(new byte[] {'a', (byte) 0xff, ' '})).isEqualTo("a%FF%20");
    }
}
