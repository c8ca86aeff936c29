package ccbt.xet.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.xet.hash.XetHashes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class XorbTest {

    private static byte[] floats(int n, long seed) {
        final Random random = new Random(seed);
        final ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 4) {
            b.putFloat((float) random.nextGaussian() * 0.02f);
        }
        return b.array();
    }

    private static byte[] random(int n, long seed) {
        final byte[] out = new byte[n];
        new Random(seed).nextBytes(out);
        return out;
    }

    @Test
    void roundTripsChunksInEveryScheme() {
        final byte[][] chunks = {random(70_000, 1), new byte[131_072], floats(65_536, 2), floats(8191, 3),
            "hello xet".getBytes(), random(1, 4)};
        for (final CompressionScheme scheme : CompressionScheme.values()) {
            final Xorb.Builder builder = new Xorb.Builder();
            for (final byte[] chunk : chunks) {
                builder.add(chunk, 0, chunk.length, scheme);
            }
            final byte[] serialized = builder.build();
            assertThat(serialized.length).isEqualTo(builder.serializedLength());
            final Xorb xorb = Xorb.parse(serialized);
            assertThat(xorb.chunkCount()).isEqualTo(chunks.length);
            assertThat(xorb.hash()).isEqualTo(builder.hash());
            assertThat(xorb.serializedLength()).isEqualTo(serialized.length);
            long total = 0;
            for (int i = 0; i < chunks.length; i++) {
                assertThat(xorb.chunk(i)).isEqualTo(chunks[i]);
                assertThat(xorb.chunkHash(i)).isEqualTo(XetHashes.chunkHash(chunks[i], 0, chunks[i].length));
                total += chunks[i].length;
            }
            assertThat(xorb.uncompressedLength()).isEqualTo(total);
            xorb.verify();
            // Incompressible random data is stored raw whatever the requested scheme; zeros never are.
            assertThat(xorb.scheme(0)).isEqualTo(CompressionScheme.NONE);
            assertThat(xorb.scheme(1)).isEqualTo(scheme);
        }
    }

    @Test
    void automaticSchemeUsesByteGroupingForFloatsAndLz4ForText() {
        final byte[] text = "the quick brown fox jumps over the lazy dog. ".repeat(1000).getBytes();
        final byte[] weights = floats(65_536, 9);
        final Xorb xorb = Xorb.parse(new Xorb.Builder().add(text, 0, text.length).add(weights, 0, weights.length)
                .build());
        assertThat(xorb.scheme(0)).isEqualTo(CompressionScheme.LZ4);
        assertThat(xorb.scheme(1)).isEqualTo(CompressionScheme.BYTE_GROUPING_4_LZ4);
        assertThat(xorb.chunk(1)).isEqualTo(weights);
        xorb.verify();
    }

    @Test
    void xorbHashMatchesTheXetCoreOracle() {
        // The xet-core wasm oracle (shared/xet-oracle) on 300000 zero bytes: chunks 131072, 131072, 37856.
        final Xorb.Builder builder = new Xorb.Builder();
        for (final int length : new int[] {131072, 131072, 37856}) {
            builder.add(new byte[length], 0, length);
        }
        assertThat(Xorb.parse(builder.build()).hash().hex())
                .isEqualTo("c2c391c2780688107997606ed6798520928296386f08a43bdf7e28cd1b06b37b");
    }

    @Test
    void emptyXorbIsJustTheFooter() {
        final byte[] serialized = new Xorb.Builder().build();
        assertThat(serialized).hasSize(96);
        final Xorb xorb = Xorb.parse(serialized);
        assertThat(xorb.chunkCount()).isZero();
        assertThat(xorb.hash().hex()).isEqualTo("0".repeat(64));
        xorb.verify();
    }

    @Test
    void footerLayoutMatchesTheSpecFromTheEnd() {
        final byte[] data = random(1000, 5);
        final byte[] s = new Xorb.Builder().add(data, 0, 1000, CompressionScheme.NONE).build();
        final ByteBuffer b = ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(s.length - 4)).isEqualTo(92 + 40);
        assertThat(b.getInt(s.length - 32)).isEqualTo(1);
        assertThat(new String(s, 1008, 7)).isEqualTo("XETBLOB");
        assertThat(s[1008 + 7]).isEqualTo((byte) 1);
        // Chunk header: version 0, stored length 1000 (u24 LE), scheme 0, raw length 1000.
        assertThat(Arrays.copyOf(s, 8)).containsExactly(0, 0xE8, 0x03, 0, 0, 0xE8, 0x03, 0);
    }

    @Test
    void everyTruncationIsRejectedWithAFormatError() {
        final byte[] a = floats(20_000, 1);
        final byte[] b = random(3000, 2);
        final byte[] s = new Xorb.Builder().add(a, 0, a.length).add(b, 0, b.length).build();
        for (int cut = 0; cut < s.length; cut++) {
            final int length = cut;
            assertThatThrownBy(() -> Xorb.parse(Arrays.copyOf(s, length))).isInstanceOf(XetFormatException.class);
            // A xorb cut at the front keeps its footer, whose offsets then no longer fit.
            assertThatThrownBy(() -> Xorb.parse(Arrays.copyOfRange(s, s.length - length, s.length)))
                    .isInstanceOf(XetFormatException.class);
        }
    }

    @Test
    void rejectsOversizedXorbsAndChunks() {
        assertThatThrownBy(() -> Xorb.parse(new byte[Xorb.MAX_SERIALIZED_BYTES + 1]))
                .isInstanceOf(XetFormatException.class).hasMessageContaining("exceeds the limit");
        assertThatThrownBy(() -> new Xorb.Builder().add(new byte[Xorb.MAX_CHUNK_LENGTH + 1], 0,
                Xorb.MAX_CHUNK_LENGTH + 1)).hasMessageContaining("131073");
        final Xorb.Builder full = new Xorb.Builder();
        final byte[] chunk = random(Xorb.MAX_CHUNK_LENGTH, 3);
        while (full.fits(chunk.length)) {
            full.add(chunk, 0, chunk.length, CompressionScheme.NONE);
        }
        assertThat(full.serializedLength()).isLessThanOrEqualTo(Xorb.MAX_SERIALIZED_BYTES);
        assertThatThrownBy(() -> full.add(chunk, 0, chunk.length)).isInstanceOf(IllegalStateException.class);
        Xorb.parse(full.build()).verify();
    }

    @Test
    void detectsCorruptedChunkData() {
        final byte[] data = random(5000, 8);
        final byte[] s = new Xorb.Builder().add(data, 0, data.length, CompressionScheme.NONE).build();
        s[100] ^= 1;
        final Xorb xorb = Xorb.parse(s);
        assertThatThrownBy(xorb::verify).isInstanceOf(XetFormatException.class).hasMessageContaining("chunk 0");
    }

    @Test
    void rejectsUnknownSchemeAndBadHeaderLengths() {
        final byte[] data = random(500, 8);
        final byte[] s = new Xorb.Builder().add(data, 0, data.length, CompressionScheme.NONE).build();
        final byte[] badScheme = s.clone();
        badScheme[ChunkHeader.SCHEME_OFFSET] = 7;
        assertThatThrownBy(() -> Xorb.parse(badScheme)).hasMessageContaining("compression scheme 7");
        final byte[] badLength = s.clone();
        badLength[ChunkHeader.COMPRESSED_LENGTH_OFFSET] ^= 1;
        assertThatThrownBy(() -> Xorb.parse(badLength)).isInstanceOf(XetFormatException.class)
                .hasMessageContaining("chunk 0 header says");
    }

    @Property(tries = 300)
    void arbitraryCorruptionNeverEscapesAsAnotherException(@ForAll @IntRange(min = 0, max = 100_000) int seed,
            @ForAll @IntRange(min = 1, max = 8) int flips) {
        final Random random = new Random(seed);
        final byte[] a = floats(4000 + random.nextInt(4000), seed);
        final byte[] b = "some text, some text, some text".repeat(50).getBytes();
        final byte[] s = new Xorb.Builder().add(a, 0, a.length).add(b, 0, b.length).build();
        for (int i = 0; i < flips; i++) {
            s[random.nextInt(s.length)] = (byte) random.nextInt(256);
        }
        try {
            final Xorb xorb = Xorb.parse(s);
            xorb.verify();
        } catch (XetFormatException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
