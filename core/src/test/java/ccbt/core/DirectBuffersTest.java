package ccbt.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.agrona.BufferUtil;
import org.junit.jupiter.api.Test;

class DirectBuffersTest {
    @Test
    void buffersAreDirectFullSizedAndStartOnACacheLine() {
        for (final int capacity : new int[] {1, 63, 64, 4096, 256 * 1024 + 5, 4 << 20}) {
            final ByteBuffer b = DirectBuffers.cacheAligned(capacity);
            assertThat(b.isDirect()).isTrue();
            assertThat(b.capacity()).isEqualTo(capacity);
            assertThat(b.position()).isZero();
            assertThat(b.limit()).isEqualTo(capacity);
            assertThat(BufferUtil.address(b) % DirectBuffers.ALIGNMENT).as("capacity %d", capacity).isZero();
            b.put(capacity - 1, (byte) 7); // the whole capacity is usable
            assertThat(b.get(capacity - 1)).isEqualTo((byte) 7);
        }
    }
}
