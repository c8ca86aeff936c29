package ccbt.xet.wire;

import static ccbt.xet.wire.XetMessageCodecTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.xet.XetChunkHasher;
import ccbt.xet.format.ChunkList;
import ccbt.xet.hash.XetHash;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A chunk list from a peer is used only once complete and matching the file hash from the torrent. */
class XetChunkListAssemblerTest {
    private static final int FILE = 2;
    private static final int LENGTH = 1_200_000;
    private static XetHash fileHash;
    private static byte[] list;

    private final XetMessageDecoder decoder = new XetMessageDecoder();
    private final ByteBuffer frame = ByteBuffer.allocate(XetWireDescriptor.MAX_MESSAGE_LENGTH);

    @BeforeAll
    static void chunkAFile() {
        final XetChunkHasher hasher = new XetChunkHasher(null);
        hasher.update(random(LENGTH, 77), 0, LENGTH);
        hasher.finish();
        fileHash = hasher.fileHash();
        list = ChunkList.of(hasher.chunks()).serialize();
        assertThat(hasher.chunks().size()).isGreaterThan(5);
    }

    private XetMessageDecoder fragment(final int file, final byte[] bytes, final int offset, final int length) {
        final int n = XetMessageEncoder.chunkListResponse(frame, 0, 1, file, bytes, offset, length);
        return decoder.wrap(frame, 0, n);
    }

    @Test
    void assemblesAListSentInOneMessage() {
        final XetChunkListAssembler a = new XetChunkListAssembler(FILE, fileHash, LENGTH);
        final ChunkList got = a.accept(fragment(FILE, list, 0, XetMessageEncoder.fragmentLength(list.length, 0)));
        assertThat(got).isNotNull();
        assertThat(a.isComplete()).isTrue();
        assertThat(got.fileHash()).isEqualTo(fileHash);
        assertThat(got.fileLength()).isEqualTo(LENGTH);
        assertThat(got.serialize()).isEqualTo(list);
    }

    @Test
    void assemblesAListSentInFragments() {
        final XetChunkListAssembler a = new XetChunkListAssembler(FILE, fileHash, LENGTH);
        ChunkList got = null;
        int fragments = 0;
        while (got == null) {
            final int at = a.nextOffset();
            got = a.accept(fragment(FILE, list, at, Math.min(100, list.length - at)));
            fragments++;
            assertThat(a.isComplete()).isEqualTo(got != null);
        }
        assertThat(fragments).isEqualTo((list.length + 99) / 100);
        assertThat(got.serialize()).isEqualTo(list);
        assertThat(a.chunkList()).isSameAs(got);
    }

    @Test
    void refusesAListThatDoesNotMatchTheFileHash() {
        final XetHash otherFile = XetMessageCodecTest.hashOf(random(10, 1));
        final XetChunkListAssembler a = new XetChunkListAssembler(FILE, otherFile, LENGTH);
        assertThatThrownBy(() -> a.accept(fragment(FILE, list, 0, list.length))).isInstanceOf(XetWireException.class)
                .hasMessageContaining("chunk list of file 2 refused: chunk list hashes to file hash " + fileHash
                        + ", expected " + otherFile);
        assertThat(a.isComplete()).isFalse();
        assertThat(a.chunkList()).isNull();
        assertThatThrownBy(() -> a.accept(fragment(FILE, list, 0, list.length))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesATamperedEntry() {
        for (final int flip : new int[] {56, 56 + 32, list.length - 1}) { // a hash byte, a length byte, the last length
            final byte[] bad = list.clone();
            bad[flip] ^= 1;
            final XetChunkListAssembler a = new XetChunkListAssembler(FILE, fileHash, LENGTH);
            assertThatThrownBy(() -> a.accept(fragment(FILE, bad, 0, bad.length))).as("byte %d", flip)
                    .isInstanceOf(XetWireException.class).hasMessageContaining("chunk list of file 2 refused");
            assertThat(a.chunkList()).isNull();
        }
    }

    @Test
    void refusesAListOfAnotherLengthThanTheFile() {
        final XetChunkListAssembler a = new XetChunkListAssembler(FILE, fileHash, LENGTH + 1);
        assertThatThrownBy(() -> a.accept(fragment(FILE, list, 0, list.length))).isInstanceOf(XetWireException.class)
                .hasMessageContaining("chunk list covers 1200000 bytes, the file has 1200001");
    }

    @Test
    void refusesAListLongerThanTheFileCanNeedFromItsFirstFragment() {
        final XetChunkListAssembler a = new XetChunkListAssembler(FILE, fileHash, 10_000); // at most 2 chunks
        final long max = XetWireDescriptor.maxChunkListLength(10_000);
        assertThat(max).isEqualTo(56 + 2 * 36);
        assertThatThrownBy(() -> a.accept(fragment(FILE, list, 0, 100))).isInstanceOf(XetWireException.class)
                .hasMessageContaining("chunk list of file 2 is " + list.length + " bytes, more than a 10000-byte file can need (128)");
    }

    @Test
    void refusesFragmentsForAnotherFileOutOfOrderOrOfAnotherLength() {
        final XetChunkListAssembler wrongFile = new XetChunkListAssembler(FILE, fileHash, LENGTH);
        assertThatThrownBy(() -> wrongFile.accept(fragment(FILE + 1, list, 0, 100))).isInstanceOf(XetWireException.class)
                .hasMessage("CHUNK_LIST_RESPONSE for file 3, requested file 2");

        final XetChunkListAssembler outOfOrder = new XetChunkListAssembler(FILE, fileHash, LENGTH);
        outOfOrder.accept(fragment(FILE, list, 0, 100));
        assertThatThrownBy(() -> outOfOrder.accept(fragment(FILE, list, 200, 100))).isInstanceOf(XetWireException.class)
                .hasMessage("chunk list fragment of file 2 at offset 200, requested offset 100");

        final XetChunkListAssembler changing = new XetChunkListAssembler(FILE, fileHash, LENGTH);
        changing.accept(fragment(FILE, list, 0, 100));
        final byte[] longer = java.util.Arrays.copyOf(list, list.length + 36);
        assertThatThrownBy(() -> changing.accept(fragment(FILE, longer, 100, 100))).isInstanceOf(XetWireException.class)
                .hasMessage("chunk list of file 2 was " + list.length + " bytes, a later fragment says " + longer.length);

        final XetChunkListAssembler tooShort = new XetChunkListAssembler(FILE, fileHash, LENGTH);
        assertThatThrownBy(() -> tooShort.accept(fragment(FILE, new byte[20], 0, 20))).isInstanceOf(XetWireException.class)
                .hasMessageContaining("is 20 bytes, shorter than its header");
    }

    @Test
    void theEmptyFileHasAListOfNoChunks() {
        final XetChunkHasher empty = new XetChunkHasher(null);
        empty.finish();
        final byte[] none = ChunkList.of(empty.chunks()).serialize();
        final XetChunkListAssembler a = new XetChunkListAssembler(0, empty.fileHash(), 0);
        assertThat(a.accept(fragment(0, none, 0, none.length)).size()).isZero();
    }
}
