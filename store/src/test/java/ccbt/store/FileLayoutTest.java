package ccbt.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class FileLayoutTest {
    private static final int KIB48 = 48 * 1024;

    /** Spans as {fileIndex, offsetInFile, length, offsetInRange}. */
    static List<long[]> spans(FileLayout layout, int piece) {
        List<long[]> out = new ArrayList<>();
        layout.forEachSpan(piece, (f, off, len, at) -> out.add(new long[] {f, off, len, at}));
        return out;
    }

    @Test
    void multiFileWithEmptyAndPadFilesAndNonPowerOfTwoPieces() {
        FileLayout l = new FileLayout(List.of(
                StoredFile.of("a", 100_001),
                StoredFile.of("empty", 0),
                new StoredFile(".pad/43151", 43_151, true),
                StoredFile.of("b/c", 1),
                StoredFile.of("d", 50_000)), KIB48);
        assertThat(l.totalLength()).isEqualTo(193_153);
        assertThat(l.pieceCount()).isEqualTo(4); // ceil(193153 / 49152)
        assertThat(l.pieceLength(0)).isEqualTo(KIB48);
        assertThat(l.pieceLength(3)).isEqualTo(193_153 - 3 * KIB48);
        assertThat(l.fileOffset(1)).isEqualTo(100_001);
        assertThat(l.fileOffset(2)).isEqualTo(100_001);
        assertThat(l.fileOffset(3)).isEqualTo(143_152);
        // The empty file never holds a byte; offset 100001 is the pad file's first.
        assertThat(l.fileAt(100_000)).isZero();
        assertThat(l.fileAt(100_001)).isEqualTo(2);
        assertThat(l.fileAt(143_152)).isEqualTo(3);
        assertThat(l.fileAt(143_153)).isEqualTo(4);
        assertThat(l.firstPieceOfFile(1)).isEqualTo(-1);
        assertThat(l.firstPieceOfFile(4)).isEqualTo(2);
        assertThat(l.lastPieceOfFile(4)).isEqualTo(3);

        // Piece 2 = [98304, 147456): tail of a, the pad, b/c, head of d.
        assertThat(spans(l, 2)).containsExactly(
                new long[] {0, 98_304, 1_697, 0},
                new long[] {2, 0, 43_151, 1_697},
                new long[] {3, 0, 1, 44_848},
                new long[] {4, 0, 4_303, 44_849});
        assertThat(spans(l, 3)).containsExactly(new long[] {4, 4_303, 45_697, 0});
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> new FileLayout(List.of(StoredFile.of("a", 1)), 0)).hasMessageContaining("0");
        assertThatThrownBy(() -> StoredFile.of("a", -1)).hasMessageContaining("-1");
        FileLayout l = new FileLayout(List.of(StoredFile.of("a", 10)), 4);
        assertThatThrownBy(() -> l.pieceLength(3)).hasMessageContaining("piece 3");
        assertThatThrownBy(() -> l.fileAt(10)).hasMessageContaining("10");
        assertThatThrownBy(() -> l.forEachSpan(8, 3, (f, o, n, a) -> { })).hasMessageContaining("8+3");
        assertThatThrownBy(() -> new FileLayout(List.of(StoredFile.of("a", Long.MAX_VALUE), StoredFile.of("b", 1)), 4))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void emptyTorrentHasNoPieces() {
        FileLayout l = new FileLayout(List.of(StoredFile.of("e", 0)), 16384);
        assertThat(l.pieceCount()).isZero();
        assertThat(l.totalLength()).isZero();
    }

    /** The spans of all pieces tile the torrent exactly: each byte of each non-empty file once, in order. */
    @Property(tries = 200)
    void spansTileTheTorrent(
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 5000) Integer> lengths,
            @ForAll @IntRange(min = 1, max = 3000) int pieceLength) {
        List<StoredFile> files = new ArrayList<>();
        for (int i = 0; i < lengths.size(); i++) {
            files.add(new StoredFile("f" + i, lengths.get(i), i % 3 == 2));
        }
        FileLayout l = new FileLayout(files, pieceLength);
        long expectedAbs = 0;
        int[] nextInFile = new int[files.size()];
        for (int p = 0; p < l.pieceCount(); p++) {
            int covered = 0;
            for (long[] s : spans(l, p)) {
                int f = (int) s[0];
                assertThat(s[2]).isPositive();
                assertThat(s[3]).isEqualTo(covered);
                assertThat(s[1]).isEqualTo(nextInFile[f]);
                assertThat(l.fileOffset(f) + s[1]).isEqualTo(expectedAbs);
                assertThat(l.fileAt(expectedAbs)).isEqualTo(f);
                nextInFile[f] += (int) s[2];
                expectedAbs += s[2];
                covered += (int) s[2];
            }
            assertThat(covered).isEqualTo(l.pieceLength(p));
        }
        assertThat(expectedAbs).isEqualTo(l.totalLength());
        for (int f = 0; f < files.size(); f++) {
            assertThat(nextInFile[f]).isEqualTo(lengths.get(f));
        }
    }
}
