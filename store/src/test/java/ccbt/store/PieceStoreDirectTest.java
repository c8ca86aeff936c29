package ccbt.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Direct (O_DIRECT) writes: aligned spans bypass the page cache, the rest does not, and the bytes are right. */
@Timeout(60)
class PieceStoreDirectTest {
    static final int PIECE = 64 * 1024;
    /** What {@link #layout} writes with O_DIRECT: a.bin's three whole pieces, the aligned part of its fourth, c.bin. */
    static final long DIRECT_BYTES = 3L * PIECE + (5_000 & -PieceStore.DIRECT_ALIGNMENT) + 2L * PIECE;

    /**
     * A file of whole pieces plus a partial page, then one that starts inside a piece (its file offsets are not
     * aligned with the piece buffer), then a pad file and a file that starts after it on a piece boundary.
     */
    static FileLayout layout() {
        return new FileLayout(List.of(
            StoredFile.of("a.bin", 3L * PIECE + 5_000),
            StoredFile.of("b.bin", 100_003),
            new StoredFile(".pad/1", 2L * PIECE - ((3L * PIECE + 5_000 + 100_003) % PIECE), true),
            StoredFile.of("c.bin", 2L * PIECE)), PIECE);
    }

    static ByteBuffer alignedPiece(final FileLayout l, final byte[] all, final int piece) {
        final ByteBuffer b = ByteBuffer.allocateDirect(l.pieceLength(piece) + PieceStore.DIRECT_ALIGNMENT)
            .alignedSlice(PieceStore.DIRECT_ALIGNMENT).limit(l.pieceLength(piece)).slice();
        b.put(all, (int) l.pieceOffset(piece), l.pieceLength(piece)).flip();
        return b;
    }

    static boolean directSupported(final Path dir) {
        try (FileChannel ch = FileChannel.open(dir.resolve(".probe"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            ExtendedOpenOption.DIRECT)) {
            return true;
        } catch (final IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static void assertContent(final Path root, final FileLayout l, final byte[] all) throws IOException {
        for (int f = 0; f < l.fileCount(); f++) {
            if (l.file(f).padFile()) {
                continue;
            }
            final int from = (int) l.fileOffset(f);
            final byte[] expected = java.util.Arrays.copyOfRange(all, from, from + (int) l.file(f).length());
            assertThat(Files.readAllBytes(root.resolve(l.file(f).relativePath()))).as(l.file(f).relativePath())
                .isEqualTo(expected);
        }
    }

    /** What a test does with a direct-writing store over {@link #layout}, holding {@code all}. */
    @FunctionalInterface
    interface StoreUse {
        void run(PieceStore s, FileLayout l, byte[] all) throws Exception;
    }

    /**
     * Opens a direct-writing store under {@code root} for content seeded with {@code seed}, runs {@code use} on it and
     * checks the files on disk afterwards; skipped where the file system refuses O_DIRECT.
     */
    static void onDirectStore(final Path root, final long seed, final int maxOpenFiles, final StoreUse use)
            throws Exception {
        assumeTrue(directSupported(root), "the temporary directory's file system refuses O_DIRECT");
        final FileLayout l = layout();
        final byte[] all = PieceStoreTest.content(l, seed);
        try (PieceStore s = PieceStore.open(root.resolve("dl"), l, Preallocation.SPARSE, maxOpenFiles, true)) {
            use.run(s, l, all);
        }
        assertContent(root.resolve("dl"), l, all);
    }

    @Test
    void alignedSpansGoDirectAndTheRestThroughTheCache(@TempDir final Path root) throws Exception {
        onDirectStore(root, 11, 8, (s, l, all) -> {
            for (int p = l.pieceCount() - 1; p >= 0; p--) {
                s.writePiece(p, alignedPiece(l, all, p));
            }
            s.force();
            assertThat(s.directBytesWritten()).isEqualTo(DIRECT_BYTES);
            final ByteBuffer back = ByteBuffer.allocate(l.pieceLength(1));
            s.readBlock(1, 0, back);
            assertThat(back.array()).isEqualTo(java.util.Arrays.copyOfRange(all, PIECE, 2 * PIECE));
        });
    }

    @Test
    void directWritesSurviveEvictionsWithOneOpenFile(@TempDir final Path root) throws Exception {
        // one open file for three: every write to another file evicts the pair (regular and direct channel)
        onDirectStore(root, 14, 1, (s, l, all) -> {
            for (final int p : new int[] {0, 6, 3, 7, 1, 4, 2, 5}) {
                s.writePiece(p, alignedPiece(l, all, p));
                assertThat(s.openFiles()).isLessThanOrEqualTo(1);
            }
            s.force();
            assertThat(s.directBytesWritten()).isEqualTo(DIRECT_BYTES);
        });
    }

    @Test
    void piecesSentThroughTheCacheMixWithDirectOnesInOneFile(@TempDir final Path root) throws Exception {
        onDirectStore(root, 15, 8, (s, l, all) -> {
            // a.bin's pieces 0 and 2 direct, 1 through the page cache (the disk writer's overflow); c.bin all cached
            s.writePiece(0, alignedPiece(l, all, 0), true);
            s.writePiece(1, alignedPiece(l, all, 1), false);
            s.writePiece(2, alignedPiece(l, all, 2), true);
            for (int p = 3; p < l.pieceCount(); p++) {
                s.writePiece(p, alignedPiece(l, all, p), false);
            }
            s.force();
            assertThat(s.directBytesWritten()).isEqualTo(2L * PIECE);
            final ByteBuffer back = ByteBuffer.allocate(3 * PIECE);
            for (int p = 0; p < 3; p++) {
                s.readBlock(p, 0, back.limit((p + 1) * PIECE));
            }
            assertThat(back.array()).isEqualTo(java.util.Arrays.copyOfRange(all, 0, 3 * PIECE));
        });
    }

    @Test
    void unalignedBuffersAreWrittenThroughTheCache(@TempDir final Path root) throws Exception {
        final FileLayout l = layout();
        final byte[] all = PieceStoreTest.content(l, 12);
        try (PieceStore s = PieceStore.open(root.resolve("dl"), l, Preallocation.SPARSE, 8, true)) {
            for (int p = 0; p < l.pieceCount(); p++) {
                final ByteBuffer heap = ByteBuffer.wrap(all, (int) l.pieceOffset(p), l.pieceLength(p)).slice();
                s.writePiece(p, heap);
            }
            assertThat(s.directBytesWritten()).isZero();
        }
        assertContent(root.resolve("dl"), l, all);
    }

    @Test
    void aFileSystemThatRefusesDirectIoFallsBackToTheCache(@TempDir final Path root) throws Exception {
        final FileLayout l = layout();
        final byte[] all = PieceStoreTest.content(l, 13);
        final int[] attempts = {0};
        final PieceStore.DirectOpener refusing = file -> {
            attempts[0]++;
            throw new IOException("Invalid argument"); // what open(2) with O_DIRECT says on such a file system
        };
        try (PieceStore s = PieceStore.open(root.resolve("dl"), l, Preallocation.SPARSE, 8, refusing)) {
            for (int p = 0; p < l.pieceCount(); p++) {
                s.writePiece(p, alignedPiece(l, all, p));
            }
            s.force();
            assertThat(s.directBytesWritten()).isZero();
        }
        assertThat(attempts[0]).as("direct writes turned off after the first refusal").isEqualTo(1);
        assertContent(root.resolve("dl"), l, all);
    }
}
