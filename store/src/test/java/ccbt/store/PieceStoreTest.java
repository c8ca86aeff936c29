package ccbt.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class PieceStoreTest {
    static final int PIECE = 48 * 1024;

    /** Odd sizes, an empty file, a pad file and a file smaller than a piece, with 48 KiB pieces. */
    static FileLayout oddLayout() {
        return new FileLayout(List.of(
                StoredFile.of("dir/a.bin", 100_001),
                StoredFile.of("dir/empty", 0),
                new StoredFile(".pad/1", 1_000, true),
                StoredFile.of("dir/sub/b.bin", 7),
                StoredFile.of("c.bin", 123_457)), PIECE);
    }

    /** Content of the whole torrent; pad-file bytes are zero as BEP 47 requires. */
    static byte[] content(FileLayout l, long seed) {
        byte[] all = new byte[(int) l.totalLength()];
        new Random(seed).nextBytes(all);
        for (int f = 0; f < l.fileCount(); f++) {
            if (l.file(f).padFile()) {
                Arrays.fill(all, (int) l.fileOffset(f), (int) (l.fileOffset(f) + l.file(f).length()), (byte) 0);
            }
        }
        return all;
    }

    static ByteBuffer pieceBuffer(FileLayout l, byte[] all, int piece) {
        ByteBuffer b = ByteBuffer.allocateDirect(l.pieceLength(piece));
        b.put(all, (int) l.pieceOffset(piece), l.pieceLength(piece)).flip();
        return b;
    }

    static void writeAll(PieceStore s, FileLayout l, byte[] all) {
        for (int p = l.pieceCount() - 1; p >= 0; p--) { // out of order, as a swarm delivers
            s.writePiece(p, pieceBuffer(l, all, p));
        }
    }

    /**
     * Pieces checked on disk through buffers smaller than, equal to and larger than a piece, across file
     * boundaries and a pad file: right for intact pieces, a changed byte, and a file cut short.
     */
    @Test
    void piecesMatchOnDiskThroughAnyBufferSize(@TempDir Path root) throws Exception {
        FileLayout l = oddLayout();
        byte[] all = content(l, 21);
        byte[] hashes = RecheckTest.hashes(l, all);
        try (PieceStore s = PieceStore.open(root, l, Preallocation.SPARSE)) {
            writeAll(s, l, all);
            ccbt.core.hash.Sha1 sha1 = ccbt.core.hash.Sha1.create();
            for (int size : new int[] {4096, 10_000, PIECE, 3 * PIECE}) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(size);
                for (int p = 0; p < l.pieceCount(); p++) {
                    assertThat(s.pieceMatches(p, hashes, buffer, sha1)).as("buffer %d, piece %d", size, p).isTrue();
                }
            }
            try (FileChannel ch = FileChannel.open(root.resolve("c.bin"), StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {(byte) ~all[(int) l.fileOffset(4) + 70_000]}), 70_000);
                ch.truncate(100_000);
            }
            int changed = l.pieceAt(l.fileOffset(4) + 70_000);
            int cut = l.pieceAt(l.fileOffset(4) + 100_000);
            ByteBuffer buffer = ByteBuffer.allocateDirect(10_000);
            for (int p = 0; p < l.pieceCount(); p++) {
                assertThat(s.pieceMatches(p, hashes, buffer, sha1)).as("piece %d", p).isEqualTo(p < changed);
            }
            assertThat(cut).isGreaterThan(changed);
        }
    }

    @Test
    void createsFilesSparseAndSkipsPadFiles(@TempDir Path root) throws Exception {
        FileLayout l = oddLayout();
        try (PieceStore s = PieceStore.open(root, l, Preallocation.SPARSE)) {
            assertThat(Files.size(root.resolve("dir/a.bin"))).isEqualTo(100_001);
            assertThat(Files.size(root.resolve("dir/empty"))).isZero();
            assertThat(Files.size(root.resolve("dir/sub/b.bin"))).isEqualTo(7);
            assertThat(Files.exists(root.resolve(".pad"))).isFalse();
            assertThat(s.root()).isEqualTo(root.toAbsolutePath().normalize());
            assertThat(s.path(2)).isNull();
        }
    }

    @Test
    void fullPreallocationAllocatesBlocksAndKeepsData(@TempDir Path root) throws Exception {
        Path existing = root.resolve("c.bin");
        Files.write(existing, new byte[] {1, 2, 3});
        FileLayout l = oddLayout();
        PieceStore.open(root, l, Preallocation.FULL).close();
        assertThat(Files.size(existing)).isEqualTo(123_457);
        byte[] head = Arrays.copyOf(Files.readAllBytes(existing), 4);
        assertThat(head).containsExactly(1, 2, 3, 0);
        // Allocated, not sparse: at least as many 512-byte blocks as the length needs.
        assertThat(allocatedBytes(existing)).isGreaterThanOrEqualTo(123_457);
        // ... whereas SPARSE only sets the length (on filesystems with holes).
        FileLayout sparse = new FileLayout(List.of(StoredFile.of("sparse.bin", 8 << 20)), PIECE);
        PieceStore.open(root, sparse, Preallocation.SPARSE).close();
        assertThat(Files.size(root.resolve("sparse.bin"))).isEqualTo(8 << 20);
        assertThat(allocatedBytes(root.resolve("sparse.bin"))).isLessThan(8 << 20);
    }

    /** Bytes allocated on disk ({@code stat %b} blocks of {@code %B} bytes). */
    static long allocatedBytes(Path p) throws Exception {
        Process proc = new ProcessBuilder("stat", "-c", "%b %B", p.toString()).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes()).trim();
        assertThat(proc.waitFor()).as(out).isZero();
        String[] parts = out.split(" ");
        return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
    }

    @Test
    void roundTripsAcrossFileBoundaries(@TempDir Path root) throws Exception {
        FileLayout l = oddLayout();
        byte[] all = content(l, 1);
        try (PieceStore s = PieceStore.open(root, l, Preallocation.SPARSE, 2)) {
            ByteBuffer p2 = pieceBuffer(l, all, 2);
            int pos = p2.position();
            writeAll(s, l, all);
            s.writePiece(2, p2);
            assertThat(p2.position()).isEqualTo(pos);
            assertThat(p2.limit()).isEqualTo(l.pieceLength(2));
            assertThat(s.openFiles()).isLessThanOrEqualTo(2);
            s.force();

            // Blocks of 16 KiB and odd blocks straddling files, from every piece.
            for (int p = 0; p < l.pieceCount(); p++) {
                for (int off = 0; off < l.pieceLength(p); off += 16_384) {
                    int n = Math.min(16_384, l.pieceLength(p) - off);
                    ByteBuffer dst = ByteBuffer.allocateDirect(n);
                    s.readBlock(p, off, dst);
                    assertThat(dst.position()).isEqualTo(n);
                    byte[] got = new byte[n];
                    dst.flip().get(got);
                    int abs = (int) l.pieceOffset(p) + off;
                    assertThat(got).as("piece %d offset %d", p, off).isEqualTo(Arrays.copyOfRange(all, abs, abs + n));
                }
            }
            ByteBuffer whole = ByteBuffer.allocate(all.length);
            assertThat(s.read(0, whole)).isEqualTo(all.length);
            assertThat(whole.array()).isEqualTo(all);
        }
        assertThat(Files.readAllBytes(root.resolve("dir/sub/b.bin")))
                .isEqualTo(Arrays.copyOfRange(all, 101_001, 101_008));
        byte[] c = Files.readAllBytes(root.resolve("c.bin"));
        assertThat(c).isEqualTo(Arrays.copyOfRange(all, 101_008, all.length));
    }

    /** The per-block path: once channels are open, writes and reads allocate nothing. */
    @Test
    void writesAndReadsDoNotAllocate(@TempDir Path root) {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        FileLayout l = oddLayout();
        byte[] all = content(l, 6);
        try (PieceStore s = PieceStore.open(root, l, Preallocation.SPARSE)) {
            ByteBuffer[] pieces = new ByteBuffer[l.pieceCount()];
            for (int p = 0; p < pieces.length; p++) {
                pieces[p] = pieceBuffer(l, all, p);
            }
            ByteBuffer dst = ByteBuffer.allocateDirect(16_384);
            int ops = 2_000;
            for (int round = 0; round < 2; round++) { // the first round warms up (JIT, channel opening)
                long tid = Thread.currentThread().threadId();
                long before = mx.getThreadAllocatedBytes(tid);
                for (int i = 0; i < ops; i++) {
                    int p = i % pieces.length;
                    s.writePiece(p, pieces[p]);
                    dst.clear();
                    s.readBlock(2, 1_000, dst); // spans a.bin, the pad file, b.bin and c.bin
                }
                long allocated = mx.getThreadAllocatedBytes(tid) - before;
                if (round == 1) {
                    // 16 bytes per op would be 32 KB; allow a little for one-off JVM work.
                    assertThat(allocated).isLessThan(4_096);
                }
            }
        }
    }

    @Test
    void concurrentReadersWhileChannelsAreEvicted(@TempDir Path root) throws Exception {
        FileLayout l = oddLayout();
        byte[] all = content(l, 2);
        try (PieceStore s = PieceStore.open(root, l, Preallocation.SPARSE, 1)) {
            writeAll(s, l, all);
            // one open-file slot and more readers than files: each read would close another reader's channel;
            // a writer rewriting the same bytes takes slots too, as the disk-write stage does beside the read pool
            Thread[] readers = new Thread[4];
            Throwable[] failure = new Throwable[1];
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        writeAll(s, l, all);
                    }
                } catch (Throwable e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
            });
            writer.start();
            for (int t = 0; t < readers.length; t++) {
                final int seed = t;
                readers[t] = new Thread(() -> {
                    Random r = new Random(seed);
                    ByteBuffer dst = ByteBuffer.allocateDirect(PIECE);
                    try {
                        for (int i = 0; i < 2_000; i++) {
                            int p = r.nextInt(l.pieceCount());
                            int off = r.nextInt(l.pieceLength(p));
                            int n = 1 + r.nextInt(l.pieceLength(p) - off);
                            dst.clear().limit(n);
                            s.readBlock(p, off, dst);
                            int abs = (int) l.pieceOffset(p) + off;
                            for (int k = 0; k < n; k++) {
                                if (dst.get(k) != all[abs + k]) {
                                    throw new AssertionError("byte " + (abs + k) + " differs");
                                }
                            }
                        }
                    } catch (Throwable e) {
                        synchronized (failure) {
                            failure[0] = e;
                        }
                    }
                });
                readers[t].start();
            }
            for (Thread t : readers) {
                t.join();
            }
            writer.join();
            assertThat(failure[0]).isNull();
            // a reader that found every other file pinned opened one over the limit; its unpin closed the surplus
            assertThat(s.openFiles()).isEqualTo(1);
        }
    }

    @Test
    void refusesPathsEscapingRoot(@TempDir Path root) {
        for (String bad : List.of("../evil", "a/../../evil", "/etc/passwd", "a//b", "./a", "a/.", "", "a\0b")) {
            FileLayout l = new FileLayout(List.of(StoredFile.of(bad, 1)), 16);
            assertThatThrownBy(() -> PieceStore.open(root.resolve("dl"), l, Preallocation.SPARSE))
                    .as(bad).isInstanceOf(StoreException.class).hasMessageContaining("path");
        }
        assertThat(root.getParent().resolve("evil")).doesNotExist();
        FileLayout twice = new FileLayout(List.of(StoredFile.of("x", 1), StoredFile.of("x", 2)), 16);
        assertThatThrownBy(() -> PieceStore.open(root, twice, Preallocation.SPARSE)).hasMessageContaining("twice");
    }

    @Test
    void pageCacheWritesLongerThanOneCallGoInPieces(@TempDir Path root) throws Exception {
        // 1 MiB pieces and a short last one: each write is cut into BUFFERED_WRITE_CHUNK calls, from heap and direct
        // buffers whose data starts past position 0
        int piece = 1 << 20;
        FileLayout l = new FileLayout(List.of(StoredFile.of("big.bin", 2L * piece + 12_345)), piece);
        byte[] all = content(l, 7);
        try (PieceStore s = PieceStore.open(root, l, Preallocation.SPARSE)) {
            for (int p = 0; p < l.pieceCount(); p++) {
                int n = l.pieceLength(p);
                ByteBuffer b = p % 2 == 0 ? ByteBuffer.allocate(n + 100) : ByteBuffer.allocateDirect(n + 100);
                b.position(100).put(all, (int) l.pieceOffset(p), n).flip().position(100);
                s.writePiece(p, b, false);
                assertThat(b.position()).as("position of piece %d's buffer", p).isEqualTo(100);
                assertThat(b.limit()).isEqualTo(n + 100);
            }
        }
        assertThat(PieceStore.BUFFERED_WRITE_CHUNK).isLessThan(piece);
        assertThat(Files.readAllBytes(root.resolve("big.bin"))).isEqualTo(all);
    }

    @Test
    void rejectsWrongSizesAndRanges(@TempDir Path root) {
        FileLayout l = oddLayout();
        try (PieceStore s = PieceStore.open(root, l, Preallocation.SPARSE)) {
            assertThatThrownBy(() -> s.writePiece(0, ByteBuffer.allocateDirect(10)))
                    .hasMessageContaining("piece 0").hasMessageContaining("10");
            assertThatThrownBy(() -> s.readBlock(4, 10, ByteBuffer.allocate(l.pieceLength(4))))
                    .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("piece 4");
        }
    }

    @Test
    void shortOrMissingFileFailsReadNamingIt(@TempDir Path root) throws Exception {
        FileLayout l = oddLayout();
        byte[] all = content(l, 3);
        try (PieceStore s = PieceStore.open(root, l, Preallocation.SPARSE)) {
            writeAll(s, l, all);
            // Someone truncates a file under a running seed.
            try (FileChannel ch = FileChannel.open(root.resolve("c.bin"), StandardOpenOption.WRITE)) {
                ch.truncate(1000);
            }
            ByteBuffer dst = ByteBuffer.allocate(l.pieceLength(4));
            assertThatThrownBy(() -> s.readBlock(4, 0, dst))
                    .isInstanceOf(StoreException.class).hasMessageContaining("c.bin").hasMessageContaining("shorter");
            // The lenient read stops at the end of the short file: a.bin, pad, b.bin, then 1000 bytes of c.bin.
            ByteBuffer whole = ByteBuffer.allocate(all.length);
            assertThat(s.read(0, whole)).isEqualTo(101_008 + 1000);
            assertThat(whole.position()).isEqualTo(101_008 + 1000);
        }
        try (PieceStore s = PieceStore.open(root, l, Preallocation.SPARSE)) {
            Files.delete(root.resolve("dir/a.bin"));
            assertThatThrownBy(() -> s.readBlock(0, 0, ByteBuffer.allocate(10)))
                    .isInstanceOf(StoreException.class).hasMessageContaining("a.bin");
        }
    }

    @Test
    void nativeFallocateWorksOnLinux(@TempDir Path root) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"));
        assertThat(NativeFallocate.available()).isTrue();
        Path f = Files.createFile(root.resolve("f"));
        assertThat(NativeFallocate.fallocate(f, 1 << 20)).isZero();
        assertThat(Files.size(f)).isEqualTo(1 << 20);
        assertThat(allocatedBytes(f)).isGreaterThanOrEqualTo(1 << 20);
        assertThat(NativeFallocate.fallocate(root.resolve("missing"), 10)).isEqualTo(-1);
    }

    @Test
    void diskFullIsAClearStoreException(@TempDir Path root) throws Exception {
        Path devFull = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(devFull), "/dev/full not available");
        FileLayout l = oddLayout();
        byte[] all = content(l, 4);
        try (PieceStore s = PieceStore.open(root, l, Preallocation.SPARSE)) {
            // Channels open lazily, so the file can be swapped for the device that always answers ENOSPC.
            Path c = root.resolve("c.bin");
            Files.delete(c);
            Files.createSymbolicLink(c, devFull);
            StoreException e = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class,
                    () -> s.writePiece(4, pieceBuffer(l, all, 4)));
            assertThat(e.isDiskFull()).isTrue();
            assertThat(e.file()).isEqualTo(c.toAbsolutePath().normalize());
            assertThat(e).hasMessageContaining("c.bin").hasMessageContaining("No space left");
            // Pieces in other files still work.
            s.writePiece(0, pieceBuffer(l, all, 0));
        }
    }

    @Test
    void readOnlyFileWriteFailsNamingIt(@TempDir Path root) throws Exception {
        FileLayout l = new FileLayout(List.of(StoredFile.of("ro.bin", 100)), 64);
        PieceStore.open(root, l, Preallocation.SPARSE).close();
        Path ro = root.resolve("ro.bin");
        ro.toFile().setWritable(false, false);
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(ro), "running as root: permissions not enforced");
        try (PieceStore s = PieceStore.open(root, l, Preallocation.SPARSE)) {
            assertThatThrownBy(() -> s.writePiece(0, ByteBuffer.allocateDirect(64)))
                    .isInstanceOf(StoreException.class).hasMessageContaining("ro.bin");
        }
    }

    @Test
    void closedStoreRefusesWork(@TempDir Path root) {
        FileLayout l = oddLayout();
        PieceStore s = PieceStore.open(root, l, Preallocation.SPARSE);
        s.close();
        s.close();
        assertThatThrownBy(() -> s.readBlock(0, 0, ByteBuffer.allocate(10))).hasMessageContaining("closed");
    }
}
