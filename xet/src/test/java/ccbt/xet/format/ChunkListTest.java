package ccbt.xet.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.xet.XetChunkHasher;
import ccbt.xet.hash.XetHash;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkListTest {

    private static XetChunkHasher chunked(byte[] data) {
        final XetChunkHasher hasher = new XetChunkHasher(null);
        hasher.update(data, 0, data.length);
        hasher.finish();
        return hasher;
    }

    @Test
    void roundTripsAndVerifiesAgainstTheFileHash() {
        final byte[] data = new byte[2 << 20];
        new Random(4).nextBytes(data);
        final XetChunkHasher hasher = chunked(data);
        final ChunkList list = ChunkList.of(hasher.chunks());
        assertThat(list.fileHash()).isEqualTo(hasher.fileHash());
        assertThat(list.fileLength()).isEqualTo(data.length);
        final ChunkList parsed = ChunkList.parse(list.serialize());
        assertThat(parsed.size()).isEqualTo(list.size()).isGreaterThan(10);
        for (int i = 0; i < list.size(); i++) {
            assertThat(parsed.hash(i)).isEqualTo(list.hash(i));
            assertThat(parsed.length(i)).isEqualTo(list.length(i));
        }
        parsed.verify(hasher.fileHash());
    }

    @Test
    void fileHashOfZerosMatchesTheXetCoreOracle() {
        // The xet-core wasm oracle (shared/xet-oracle) on 300000 zero bytes.
        final ChunkList list = ChunkList.of(chunked(new byte[300_000]).chunks());
        list.verify(XetHash.fromHex("3d7bd4178bc2851ba07d59c24c3a88ae0c7220e9920d6c5c6a06b01556d46404"));
    }

    @Test
    void verifyRejectsAWrongOrTamperedList() {
        final byte[] data = new byte[500_000];
        new Random(5).nextBytes(data);
        final XetChunkHasher hasher = chunked(data);
        final byte[] serialized = ChunkList.of(hasher.chunks()).serialize();
        assertThatThrownBy(() -> ChunkList.parse(serialized).verify(XetHash.ZERO))
                .isInstanceOf(XetFormatException.class).hasMessageContaining("expected " + XetHash.ZERO);
        final byte[] tampered = serialized.clone();
        tampered[ChunkList.HEADER_LENGTH + 3] ^= 1;
        assertThatThrownBy(() -> ChunkList.parse(tampered).verify(hasher.fileHash()))
                .isInstanceOf(XetFormatException.class);
    }

    @Test
    void rejectsTruncatedAndInconsistentLists() {
        final byte[] s = ChunkList.of(chunked(new byte[400_000]).chunks()).serialize();
        for (int cut = 0; cut < s.length; cut++) {
            final int n = cut;
            assertThatThrownBy(() -> ChunkList.parse(Arrays.copyOf(s, n))).isInstanceOf(XetFormatException.class);
        }
        final byte[] badLength = s.clone();
        badLength[ChunkList.LENGTH_OFFSET] ^= 1;
        assertThatThrownBy(() -> ChunkList.parse(badLength)).hasMessageContaining("chunks sum to 400000");
        final byte[] zeroChunk = s.clone();
        Arrays.fill(zeroChunk, ChunkList.HEADER_LENGTH + 32, ChunkList.HEADER_LENGTH + 36, (byte) 0);
        assertThatThrownBy(() -> ChunkList.parse(zeroChunk)).hasMessageContaining("chunk 0 length 0");
        final byte[] badMagic = s.clone();
        badMagic[0] = 'X';
        assertThatThrownBy(() -> ChunkList.parse(badMagic)).hasMessageContaining("bad magic");
    }
}
