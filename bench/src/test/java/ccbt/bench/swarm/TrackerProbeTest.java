package ccbt.bench.swarm;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrackerProbeTest {
    @Test
    void decodesCompactPeers() {
        // BEP 23: 4 address bytes, then the port in network byte order
        final byte[] peers = {127, 0, 0, 1, (byte) 0x1a, (byte) 0xe1, 127, 0, 0, 2, (byte) 0xc3, 0x50};
        assertThat(TrackerProbe.parseCompact(peers)).containsExactlyInAnyOrder(
            new InetSocketAddress("127.0.0.1", 6881), new InetSocketAddress("127.0.0.2", 50000));
        assertThat(TrackerProbe.parseCompact(new byte[0])).isEmpty();
    }

    @Test
    void rejectsATruncatedListByLength() {
        assertThatThrownBy(() -> TrackerProbe.parseCompact(new byte[7])).hasMessageContaining("7 bytes");
    }
}
