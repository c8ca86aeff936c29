package ccbt.xet.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class KeyedBlake3Test {

    @Test
    void matchesTheOfficialKeyedVectors() {
        final KeyedBlake3 hasher = new KeyedBlake3(Blake3Vectors.KEY);
        assertThat(Blake3Vectors.cases()).hasSizeGreaterThan(20);
        for (final Blake3Vectors.Case c : Blake3Vectors.cases()) {
            final byte[] in = c.input();
            hasher.update(in, 0, in.length);
            final byte[] out = new byte[32];
            hasher.finish(out, 0);
            assertThat(out).as("keyed_hash of %d bytes", c.length()).isEqualTo(c.keyedHash());
        }
    }

    @Test
    void finishResetsToTheKeyedStateAndSplitsDoNotMatter() {
        final Blake3Vectors.Case c = Blake3Vectors.cases().stream().filter(v -> v.length() == 102400)
                .findFirst().orElseThrow();
        final byte[] in = c.input();
        final KeyedBlake3 hasher = new KeyedBlake3(Blake3Vectors.KEY);
        hasher.update(new byte[77], 0, 77);
        hasher.finish();
        for (int pos = 0; pos < in.length; pos += 1000) {
            hasher.update(in, pos, Math.min(1000, in.length - pos));
        }
        assertThat(hasher.finish().bytes()).isEqualTo(c.keyedHash());
        final ByteBuffer direct = ByteBuffer.allocateDirect(in.length).put(in).flip();
        hasher.update(direct);
        assertThat(direct.hasRemaining()).isFalse();
        assertThat(hasher.finish().bytes()).isEqualTo(c.keyedHash());
    }

    @Test
    void rejectsKeysThatAreNot32Bytes() {
        assertThatThrownBy(() -> new KeyedBlake3(new byte[31])).hasMessageContaining("31");
    }
}
