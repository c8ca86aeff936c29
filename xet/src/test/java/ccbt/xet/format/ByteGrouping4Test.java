package ccbt.xet.format;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ByteGrouping4Test {

    @Test
    void groupsBytesByPositionModuloFour() {
        // The spec's example, with 2 extra bytes going to groups 1 and 2.
        final byte[] in = {0x11, 0x12, 0x13, 0x14, 0x21, 0x22, 0x23, 0x24, 0x31, 0x32};
        final byte[] out = new byte[in.length];
        ByteGrouping4.split(in, 0, in.length, out, 0);
        assertThat(out).containsExactly(0x11, 0x21, 0x31, 0x12, 0x22, 0x32, 0x13, 0x23, 0x14, 0x24);
    }

    @Property
    void regroupInvertsSplit(@ForAll @Size(max = 300) byte[] data) {
        final byte[] grouped = new byte[data.length];
        final byte[] back = new byte[data.length];
        ByteGrouping4.split(data, 0, data.length, grouped, 0);
        ByteGrouping4.regroup(grouped, 0, data.length, back, 0);
        assertThat(back).isEqualTo(data);
    }
}
