package ccbt.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.core.Bitfield;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class RecheckTest {
    static byte[] hashes(FileLayout l, byte[] all) throws Exception {
        byte[] out = new byte[20 * l.pieceCount()];
        for (int p = 0; p < l.pieceCount(); p++) {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(all, (int) l.pieceOffset(p), l.pieceLength(p));
            System.arraycopy(md.digest(), 0, out, 20 * p, 20);
        }
        return out;
    }

    private static byte[] written(Path root, FileLayout l, long seed) {
        byte[] all = PieceStoreTest.content(l, seed);
        try (PieceStore s = PieceStore.open(root, l, Preallocation.SPARSE)) {
            PieceStoreTest.writeAll(s, l, all);
        }
        return all;
    }

    @Test
    void intactDataPassesWithAnyThreadCount(@TempDir Path root) throws Exception {
        FileLayout l = PieceStoreTest.oddLayout();
        byte[] all = written(root, l, 7);
        byte[] h = hashes(l, all);
        for (int threads : new int[] {1, 2, 3, 8}) {
            AtomicLong progress = new AtomicLong();
            Bitfield good = Recheck.check(root, l, h, null, threads, progress::addAndGet);
            assertThat(good.isComplete()).as("threads %d", threads).isTrue();
            assertThat(progress.get()).isEqualTo(l.totalLength());
        }
    }

    @Test
    void findsOneCorruptedByte(@TempDir Path root) throws Exception {
        FileLayout l = PieceStoreTest.oddLayout();
        byte[] all = written(root, l, 8);
        byte[] h = hashes(l, all);
        // Byte 60000 of c.bin = absolute 161008, in piece 3.
        try (FileChannel ch = FileChannel.open(root.resolve("c.bin"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            ch.read(one, 60_000);
            one.put(0, (byte) (one.get(0) ^ 1)).position(0);
            ch.write(one, 60_000);
        }
        for (int threads : new int[] {1, 2}) {
            Bitfield good = Recheck.check(root, l, h, null, threads, null);
            assertThat(good.cardinality()).isEqualTo(l.pieceCount() - 1);
            assertThat(good.get(3)).isFalse();
        }
    }

    @Test
    void onlyRequestedPiecesAreChecked(@TempDir Path root) throws Exception {
        FileLayout l = PieceStoreTest.oddLayout();
        byte[] all = written(root, l, 9);
        byte[] h = hashes(l, all);
        Bitfield some = new Bitfield(l.pieceCount());
        some.set(1);
        some.set(4);
        AtomicLong progress = new AtomicLong();
        Bitfield good = Recheck.check(root, l, h, some, 2, progress::addAndGet);
        assertThat(good).isEqualTo(some);
        assertThat(progress.get()).isEqualTo(l.pieceLength(1) + l.pieceLength(4));
    }

    @Test
    void missingAndShortFilesFailTheirPiecesOnlyAndAreNotCreated(@TempDir Path root) throws Exception {
        FileLayout l = PieceStoreTest.oddLayout();
        byte[] all = written(root, l, 10);
        byte[] h = hashes(l, all);
        // b.bin (piece 2 only) missing; c.bin cut to 50000 bytes: its end (absolute 151008) is in piece 3.
        Files.delete(root.resolve("dir/sub/b.bin"));
        try (FileChannel ch = FileChannel.open(root.resolve("c.bin"), StandardOpenOption.WRITE)) {
            ch.truncate(50_000);
        }
        for (int threads : new int[] {1, 3}) {
            AtomicLong progress = new AtomicLong();
            Bitfield good = Recheck.check(root, l, h, null, threads, progress::addAndGet);
            assertThat(good.get(0)).isTrue();
            assertThat(good.get(1)).isTrue();
            assertThat(good.get(2)).isFalse();
            assertThat(good.get(3)).isFalse();
            assertThat(good.get(4)).isFalse();
            assertThat(progress.get()).isEqualTo(l.totalLength());
        }
        assertThat(root.resolve("dir/sub/b.bin")).doesNotExist();
        assertThat(Files.size(root.resolve("c.bin"))).isEqualTo(50_000);
    }

    @Test
    void manyPiecesLargerThanTheBuffer(@TempDir Path root) throws Exception {
        // 6 MiB over three files, pieces of 48 KiB + odd: runs cross the 4 MiB read buffer and file ends.
        FileLayout l = new FileLayout(List.of(
                StoredFile.of("x", 3_000_017), StoredFile.of("y", 1), StoredFile.of("z", 3_291_133)), 48 * 1024 + 16);
        byte[] all = written(root, l, 11);
        byte[] h = hashes(l, all);
        h[20 * 77] ^= 1; // a wrong expected hash fails exactly that piece
        Bitfield good = Recheck.check(root, l, h, null, 2, null);
        assertThat(good.cardinality()).isEqualTo(l.pieceCount() - 1);
        assertThat(good.get(77)).isFalse();
    }

    /**
     * Runs checked as pairs (where the build has {@link ccbt.core.hash.Sha1Pair}) with pieces smaller and larger
     * than half the read buffer, a gap in the wanted pieces, a corrupted byte in the second half of a run, a wrong
     * expected hash and a missing middle file (a short read mid-pair, so the rest of the run goes one by one):
     * every verdict equals a plain re-read of what is on disk.
     */
    @Test
    void pairedRunsAgreeWithAPlainRereadOfTheDisk(@TempDir Path root) throws Exception {
        for (int pieceLength : new int[] {16 * 1024, 64 * 1024 + 48, 3 * 1024 * 1024 - 4096 + 16}) {
            Path dir = Files.createDirectories(root.resolve("p" + pieceLength));
            int scale = pieceLength > 1 << 20 ? 3 : 1;
            FileLayout l = new FileLayout(List.of(StoredFile.of("x", scale * 7_340_033L), StoredFile.of("y", 1_048_576),
                    StoredFile.of("z", scale * 6_291_459L)), pieceLength);
            byte[] all = written(dir, l, pieceLength);
            byte[] h = hashes(l, all);
            h[20 * 1] ^= 1;
            try (FileChannel ch = FileChannel.open(dir.resolve("z"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) ~all[(int) (l.fileOffset(2) + 5_000_000)]}), 5_000_000);
            }
            Files.delete(dir.resolve("y"));
            Bitfield wanted = new Bitfield(l.pieceCount());
            wanted.setAll();
            wanted.clear(l.pieceCount() / 3);
            Bitfield expected = reread(dir, l, h, wanted);
            assertThat(expected.cardinality()).as("the damage spoils some pieces, not all")
                    .isBetween(l.pieceCount() / 2, wanted.cardinality() - 3);
            for (int threads : new int[] {1, 2, 3}) {
                AtomicLong progress = new AtomicLong();
                Bitfield good = Recheck.check(dir, l, h, wanted, threads, progress::addAndGet);
                assertThat(good).as("piece length %d, threads %d", pieceLength, threads).isEqualTo(expected);
                long wantedBytes = 0;
                for (int p = wanted.nextSetBit(0); p >= 0; p = wanted.nextSetBit(p + 1)) {
                    wantedBytes += l.pieceLength(p);
                }
                assertThat(progress.get()).isEqualTo(wantedBytes);
            }
        }
    }

    /**
     * A file cut short while it is checked from the page cache, after the first pair of pieces: the pieces hashed
     * before it stay good, the rest fail, and the process lives on. With one thread the run is one span of eight
     * pieces, paired 0+4, 1+5 ...: the cut comes while 0 and 4 are recorded, and the next pair's first page past
     * the new end raises SIGBUS. (Checked by reading instead, all eight pieces would already be in the buffer.)
     */
    @Test
    void aFileTruncatedDuringTheCheckFailsTheRestOfItsPieces(@TempDir Path root) throws Exception {
        if (!ccbt.core.hash.Sha1Pair.isAvailable()) {
            return;
        }
        FileLayout l = new FileLayout(List.of(StoredFile.of("cut.bin", 8 * 65_536)), 65_536);
        byte[] all = written(root, l, 11);
        byte[] h = hashes(l, all);
        Path file = root.resolve("cut.bin");
        AtomicLong progress = new AtomicLong();
        Bitfield good = Recheck.check(root, l, h, null, 1, bytes -> {
            if (progress.getAndAdd(bytes) == 0) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(0);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        Bitfield expected = new Bitfield(8);
        expected.set(0);
        expected.set(4);
        assertThat(good).isEqualTo(expected);
        assertThat(progress.get()).isEqualTo(l.totalLength());
        assertThat(Files.size(file)).isZero();
    }

    /**
     * The queue's spans cover exactly the wanted pieces, in order, never across an unwanted one, each at most
     * {@link Recheck#SPAN_BYTES} unless it is a single larger piece, and cut no shorter than that needs.
     */
    @Test
    void spansCoverTheWantedPiecesInBoundedRuns() {
        for (int pieceLength : new int[] {1 << 20, 3 * 1024 * 1024 + 16, 48 << 20}) {
            FileLayout l = new FileLayout(List.of(StoredFile.of("a", 300L << 20), StoredFile.of("b", 77_777)), pieceLength);
            Bitfield wanted = new Bitfield(l.pieceCount());
            wanted.setAll();
            wanted.clear(l.pieceCount() / 2);
            wanted.clear(0);
            int[] spans = Recheck.spans(l, wanted);
            Bitfield covered = new Bitfield(l.pieceCount());
            int previousEnd = 0;
            for (int s = 0; s < spans.length; s += 2) {
                int first = spans[s];
                int end = spans[s + 1];
                assertThat(first).as("piece length %d", pieceLength).isGreaterThanOrEqualTo(previousEnd).isLessThan(end);
                long bytes = l.pieceOffset(end - 1) + l.pieceLength(end - 1) - l.pieceOffset(first);
                if (end - first > 1) {
                    assertThat(bytes).isLessThanOrEqualTo(Recheck.SPAN_BYTES);
                }
                for (int p = first; p < end; p++) {
                    assertThat(wanted.get(p)).as("piece %d", p).isTrue();
                    covered.set(p);
                }
                previousEnd = end;
            }
            assertThat(covered).isEqualTo(wanted);
            for (int s = 2; s < spans.length; s += 2) {
                if (spans[s] == spans[s - 1]) {
                    // cut only where the two together would be too long
                    long both = l.pieceOffset(spans[s + 1] - 1) + l.pieceLength(spans[s + 1] - 1) - l.pieceOffset(spans[s - 2]);
                    assertThat(both).as("spans %d and %d", s / 2 - 1, s / 2).isGreaterThan(Recheck.SPAN_BYTES);
                }
            }
        }
        assertThat(Recheck.spans(PieceStoreTest.oddLayout(), new Bitfield(PieceStoreTest.oddLayout().pieceCount())))
            .isEmpty();
    }

    /** The verdict of reading each wanted piece's bytes plainly: a piece touching a missing file fails. */
    private static Bitfield reread(Path root, FileLayout l, byte[] h, Bitfield wanted) throws Exception {
        byte[][] files = new byte[l.fileCount()][];
        for (int f = 0; f < l.fileCount(); f++) {
            Path path = root.resolve(l.file(f).relativePath());
            files[f] = Files.exists(path) ? Files.readAllBytes(path) : null;
        }
        Bitfield good = new Bitfield(l.pieceCount());
        for (int p = wanted.nextSetBit(0); p >= 0; p = wanted.nextSetBit(p + 1)) {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            boolean readable = true;
            for (long at = l.pieceOffset(p), end = at + l.pieceLength(p); at < end && readable; ) {
                int f = l.fileAt(at);
                long inFile = at - l.fileOffset(f);
                int n = (int) Math.min(end - at, l.file(f).length() - inFile);
                readable = files[f] != null;
                if (readable) {
                    md.update(files[f], (int) inFile, n);
                }
                at += n;
            }
            if (readable && java.util.Arrays.equals(md.digest(), 0, 20, h, 20 * p, 20 * p + 20)) {
                good.set(p);
            }
        }
        return good;
    }

    @Test
    void rejectsWrongHashLength(@TempDir Path root) {
        FileLayout l = PieceStoreTest.oddLayout();
        assertThatThrownBy(() -> Recheck.check(root, l, new byte[21], null, 1, null)).hasMessageContaining("21");
        assertThatThrownBy(() -> Recheck.check(root, l, new byte[20 * l.pieceCount()], new Bitfield(2), 1, null))
                .hasMessageContaining("2 pieces");
    }
}
