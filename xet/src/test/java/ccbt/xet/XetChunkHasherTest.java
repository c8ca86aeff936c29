package ccbt.xet;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.xet.hash.XetHash;
import ccbt.xet.hash.XetHashes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class XetChunkHasherTest {
    record Chunk(long offset, int length, XetHash hash) {
    }

    private static List<Chunk> chunk(byte[] data, int step, boolean direct) {
        final List<Chunk> chunks = new ArrayList<>();
        final XetChunkHasher hasher = new XetChunkHasher((o, l, h) -> chunks.add(new Chunk(o, l, h)));
        final ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(data.length).put(data).flip() : null;
        for (int pos = 0; pos < data.length; pos += step) {
            final int n = Math.min(step, data.length - pos);
            if (direct) {
                hasher.update(buffer.duplicate().position(pos).limit(pos + n));
            } else {
                hasher.update(data, pos, n);
            }
        }
        hasher.finish();
        return chunks;
    }

    @Test
    void eachChunkHashIsTheKeyedHashOfItsBytes() {
        final byte[] data = new byte[3 << 20];
        new Random(5).nextBytes(data);
        final List<Chunk> chunks = chunk(data, 1 << 20, false);
        assertThat(chunks.size()).isGreaterThan(10);
        long offset = 0;
        for (final Chunk c : chunks) {
            assertThat(c.offset()).isEqualTo(offset);
            assertThat(c.hash()).isEqualTo(XetHashes.chunkHash(data, (int) c.offset(), c.length()));
            offset += c.length();
        }
        assertThat(offset).isEqualTo(data.length);
    }

    @Test
    void endToEndHashesOfZerosMatchTheXetCoreOracle() {
        // Values printed by the xet-core wasm oracle (shared/xet-oracle) for 300000 zero bytes.
        final XetChunkHasher hasher = new XetChunkHasher(null);
        hasher.update(new byte[300_000], 0, 300_000);
        hasher.finish();
        assertThat(hasher.chunks().size()).isEqualTo(3);
        assertThat(hasher.fileHash().hex())
                .isEqualTo("3d7bd4178bc2851ba07d59c24c3a88ae0c7220e9920d6c5c6a06b01556d46404");
        assertThat(hasher.xorbHash().hex())
                .isEqualTo("c2c391c2780688107997606ed6798520928296386f08a43bdf7e28cd1b06b37b");
    }

    @Property(tries = 30)
    void splitsAndBufferKindsDoNotChangeTheChunks(@ForAll @IntRange(min = 1, max = 300_000) int step,
            @ForAll long seed) {
        final byte[] data = new byte[700_000];
        final Random random = new Random(seed);
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (random.nextInt(3) == 0 ? random.nextInt() : i >> 14);
        }
        final List<Chunk> reference = chunk(data, data.length, false);
        assertThat(chunk(data, step, false)).isEqualTo(reference);
        assertThat(chunk(data, step, true)).isEqualTo(reference);
    }
}
