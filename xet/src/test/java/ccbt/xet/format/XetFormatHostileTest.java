package ccbt.xet.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.xet.XetChunkHasher;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile serialized chunk lists and xorbs (what a peer or a damaged state directory may hand us): each is
 * refused with a {@link XetFormatException} whose message names the offending value, before anything is
 * allocated from a length field. Complements {@link ChunkListTest} and {@link XorbTest}.
 */
class XetFormatHostileTest {

    private static byte[] random(final int n, final long seed) {
        final byte[] out = new byte[n];
        new Random(seed).nextBytes(out);
        return out;
    }

    private static byte[] listOf(final byte[] data) {
        final XetChunkHasher hasher = new XetChunkHasher(null);
        hasher.update(data, 0, data.length);
        hasher.finish();
        return ChunkList.of(hasher.chunks()).serialize();
    }

    private static void putLe32(final byte[] b, final int at, final long value) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) value);
    }

    // ---------------------------------------------------------------- chunk lists

    @Test
    void aTruncatedChunkListIsRefusedWithWhatIsMissing() {
        final byte[] s = listOf(random(600_000, 1));
        final int count = (s.length - ChunkList.HEADER_LENGTH) / ChunkList.ENTRY_LENGTH;
        assertThat(count).isGreaterThan(3);
        for (int cut = 0; cut < s.length; cut++) {
            final byte[] cutList = Arrays.copyOf(s, cut);
            if (cut < ChunkList.HEADER_LENGTH) {
                assertThatThrownBy(() -> ChunkList.parse(cutList)).isInstanceOf(XetFormatException.class)
                    .hasMessage("truncated chunk list: " + cut + " bytes, header takes 56");
            } else {
                assertThatThrownBy(() -> ChunkList.parse(cutList)).isInstanceOf(XetFormatException.class)
                    .hasMessage("chunk list says " + count + " chunks but holds " + (cut - ChunkList.HEADER_LENGTH)
                        + " bytes of entries (36 each)");
            }
        }
    }

    @Test
    void trailingBytesAfterAChunkListAreRefused() {
        final byte[] s = listOf(random(300_000, 2));
        final int count = (s.length - ChunkList.HEADER_LENGTH) / ChunkList.ENTRY_LENGTH;
        for (final int extra : new int[] {1, 35, 36, 1000}) {
            final byte[] longer = Arrays.copyOf(s, s.length + extra);
            assertThatThrownBy(() -> ChunkList.parse(longer)).isInstanceOf(XetFormatException.class)
                .hasMessageContaining("says " + count + " chunks but holds " + (s.length + extra - 56));
        }
    }

    @Test
    @Timeout(10)
    void aHugeChunkCountIsRefusedBeforeAnythingIsAllocated() {
        final byte[] s = listOf(random(200_000, 3));
        putLe32(s, ChunkList.COUNT_OFFSET, 0xFFFF_FFFFL);
        assertThatThrownBy(() -> ChunkList.parse(s)).isInstanceOf(XetFormatException.class)
            .hasMessageContaining("says 4294967295 chunks");
        putLe32(s, ChunkList.COUNT_OFFSET, Integer.MAX_VALUE);
        assertThatThrownBy(() -> ChunkList.parse(s)).isInstanceOf(XetFormatException.class)
            .hasMessageContaining("says 2147483647 chunks");
    }

    @Test
    void chunkLengthsOutsideTheChunkerRangeAreRefused() {
        final byte[] s = listOf(random(300_000, 4));
        final int secondLength = ChunkList.HEADER_LENGTH + ChunkList.ENTRY_LENGTH + 32;
        for (final long bad : new long[] {ChunkList.MAX_CHUNK_LENGTH + 1L, 0xFFFF_FFFFL, 0x8000_0000L}) {
            final byte[] b = s.clone();
            putLe32(b, secondLength, bad);
            assertThatThrownBy(() -> ChunkList.parse(b)).isInstanceOf(XetFormatException.class)
                .hasMessage("chunk 1 length " + bad + " is not in [1, 131072]");
        }
    }

    @Test
    void unknownVersionsAndReservedBitsAreRefused() {
        final byte[] s = listOf(random(100_000, 5));
        final byte[] v2 = s.clone();
        v2[ChunkList.MAGIC.length] = 2;
        assertThatThrownBy(() -> ChunkList.parse(v2)).hasMessage("unsupported chunk list version 2");
        final byte[] reserved = s.clone();
        reserved[ChunkList.RESERVED_OFFSET + 3] = 1;
        assertThatThrownBy(() -> ChunkList.parse(reserved)).isInstanceOf(XetFormatException.class)
            .hasMessageContaining("reserved");
    }

    @Test
    void aForgedRecordedFileHashParsesButNeverVerifies() {
        final byte[] data = random(250_000, 6);
        final byte[] s = listOf(data);
        final ChunkList honest = ChunkList.parse(s);
        final byte[] forged = s.clone();
        forged[ChunkList.FILE_HASH_OFFSET] ^= 0x40;
        final ChunkList parsed = ChunkList.parse(forged);
        // Its entries are intact, so it hashes to the true file hash; the header's claim is what is wrong.
        assertThatThrownBy(() -> parsed.verify(honest.fileHash())).isInstanceOf(XetFormatException.class)
            .hasMessageContaining("records file hash " + parsed.fileHash())
            .hasMessageContaining(honest.fileHash().toString());
    }

    @Test
    void aListInsideALargerBufferParsesAndAnOutOfRangeSliceIsAProgrammingError() {
        final byte[] s = listOf(random(150_000, 7));
        final byte[] framed = new byte[s.length + 20];
        System.arraycopy(s, 0, framed, 9, s.length);
        assertThat(ChunkList.parse(framed, 9, s.length).fileLength()).isEqualTo(150_000);
        assertThatThrownBy(() -> ChunkList.parse(framed, 9, s.length - 1)).isInstanceOf(XetFormatException.class);
        assertThatThrownBy(() -> ChunkList.parse(framed, 30, s.length)).isInstanceOf(IndexOutOfBoundsException.class)
            .hasMessageContaining("range 30+" + s.length + " of " + framed.length);
    }

    // ---------------------------------------------------------------- xorbs

    /** A one-chunk raw xorb of {@code n} bytes and where its footer starts. */
    private static byte[] oneChunkXorb(final int n) {
        final byte[] data = random(n, 11);
        return new Xorb.Builder().add(data, 0, n, CompressionScheme.NONE).build();
    }

    private static int footerStart(final byte[] xorb) {
        final int info = ByteBuffer.wrap(xorb).order(ByteOrder.LITTLE_ENDIAN).getInt(xorb.length - 4);
        return xorb.length - 4 - info;
    }

    @Test
    void aTruncatedXorbIsRefusedWithAMessageNamingTheXorbOrTheChunk() {
        final byte[] s = new Xorb.Builder().add(random(5000, 12), 0, 5000, CompressionScheme.NONE)
            .add(new byte[70_000], 0, 70_000).build();
        for (int cut = 0; cut < s.length; cut++) {
            final byte[] head = Arrays.copyOf(s, cut);
            if (cut < 96) {
                assertThatThrownBy(() -> Xorb.parse(head)).isInstanceOf(XetFormatException.class)
                    .hasMessage("truncated xorb: " + cut + " bytes, a footer alone takes 96");
            } else {
                assertThatThrownBy(() -> Xorb.parse(head)).isInstanceOf(XetFormatException.class)
                    .hasMessageMatching("(?s).*(xorb|chunk).*");
            }
        }
    }

    @Test
    void aFooterLengthLargerThanTheXorbIsRefused() {
        final byte[] s = oneChunkXorb(1000);
        putLe32(s, s.length - 4, s.length);
        assertThatThrownBy(() -> Xorb.parse(s)).isInstanceOf(XetFormatException.class)
            .hasMessage("xorb footer length " + s.length + " does not fit a xorb of " + s.length + " bytes");
        putLe32(s, s.length - 4, 0xFFFF_FFFFL);
        assertThatThrownBy(() -> Xorb.parse(s)).isInstanceOf(XetFormatException.class)
            .hasMessageContaining("xorb footer length 4294967295");
    }

    @Test
    @Timeout(10)
    void aHugeChunkCountInTheFooterIsRefusedBeforeAnythingIsAllocated() {
        final byte[] s = oneChunkXorb(1000);
        final int countAt = footerStart(s) + 7 + 1 + 32 + 7 + 1;
        putLe32(s, countAt, 0xFFFF_FFFFL);
        assertThatThrownBy(() -> Xorb.parse(s)).isInstanceOf(XetFormatException.class)
            .hasMessage("xorb footer of 132 bytes cannot hold 4294967295 chunks");
        putLe32(s, countAt, 2);
        assertThatThrownBy(() -> Xorb.parse(s)).isInstanceOf(XetFormatException.class)
            .hasMessage("xorb footer of 132 bytes cannot hold 2 chunks");
    }

    @Test
    void chunkOffsetsBeyondTheXorbAreRefused() {
        final byte[] s = oneChunkXorb(1000);
        final int endAt = footerStart(s) + 7 + 1 + 32 + 7 + 1 + 4 + 32 + 7 + 1 + 4;
        final byte[] huge = s.clone();
        putLe32(huge, endAt, 0xFFFF_FFF0L);
        assertThatThrownBy(() -> Xorb.parse(huge)).isInstanceOf(XetFormatException.class)
            .hasMessage("chunk end offset 4294967280 exceeds the xorb size limit");
        final byte[] past = s.clone();
        putLe32(past, endAt, 1009);
        assertThatThrownBy(() -> Xorb.parse(past)).isInstanceOf(XetFormatException.class)
            .hasMessage("chunk 0 ends at 1009, outside (0, 1008]");
    }

    @Test
    void bytesBeforeTheFirstChunkAreRefused() {
        final byte[] s = oneChunkXorb(1000);
        final byte[] prefixed = new byte[s.length + 3];
        System.arraycopy(s, 0, prefixed, 3, s.length);
        // The first "chunk header" is now read from the prefix and the real header's bytes: some check of the
        // chunk area refuses it (here the scheme byte), whatever the prefix holds.
        for (int fill = 0; fill < 256; fill += 51) {
            Arrays.fill(prefixed, 0, 3, (byte) fill);
            assertThatThrownBy(() -> Xorb.parse(prefixed)).isInstanceOf(XetFormatException.class)
                .hasMessageMatching("(?s).*chunk.*");
        }
    }

    @Test
    void anOversizedUncompressedLengthIsRefused() {
        final byte[] text = "a compressible chunk of text. ".repeat(400).getBytes();
        final byte[] s = new Xorb.Builder().add(text, 0, text.length, CompressionScheme.LZ4).build();
        assertThat(Xorb.parse(s).scheme(0)).isEqualTo(CompressionScheme.LZ4);
        final byte[] b = s.clone();
        // u24 little-endian uncompressed length at offset 5 of the chunk header: 131073
        b[ChunkHeader.UNCOMPRESSED_LENGTH_OFFSET] = 0x01;
        b[ChunkHeader.UNCOMPRESSED_LENGTH_OFFSET + 1] = 0x00;
        b[ChunkHeader.UNCOMPRESSED_LENGTH_OFFSET + 2] = 0x02;
        assertThatThrownBy(() -> Xorb.parse(b)).isInstanceOf(XetFormatException.class)
            .hasMessage("chunk 0 is 131073 bytes uncompressed, over the limit of 131072");
    }

    @Test
    void corruptCompressedBytesFailAsAFormatErrorWhenRead() {
        final byte[] text = "a compressible chunk of text, again and again. ".repeat(400).getBytes();
        final byte[] s = new Xorb.Builder().add(text, 0, text.length, CompressionScheme.LZ4).build();
        final int stored = ChunkHeader.compressedLength(s, 0);
        for (int i = 0; i < 20; i++) {
            final byte[] b = s.clone();
            final Random r = new Random(i);
            for (int k = 0; k < 4; k++) {
                b[ChunkHeader.LENGTH + r.nextInt(stored)] = (byte) r.nextInt(256);
            }
            final Xorb xorb = Xorb.parse(b); // the headers and footer are intact
            try {
                final byte[] out = xorb.chunk(0);
                // LZ4 may decode garbage to the right length: then the hash check catches it
                if (!Arrays.equals(out, text)) {
                    assertThatThrownBy(xorb::verify).isInstanceOf(XetFormatException.class)
                        .hasMessageContaining("chunk 0");
                }
            } catch (final XetFormatException expected) {
                assertThat(expected).hasMessageContaining("LZ4 chunk");
            }
        }
    }
}
