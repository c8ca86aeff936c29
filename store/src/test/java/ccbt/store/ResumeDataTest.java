package ccbt.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.core.Bitfield;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ResumeDataTest {
    private static final byte[] HASH = new byte[20];

    static {
        Arrays.fill(HASH, (byte) 0xab);
    }

    private static Bitfield someVerified(int n) {
        Bitfield b = new Bitfield(n);
        for (int i = 0; i < n; i += 2) {
            b.set(i);
        }
        return b;
    }

    private static FileLayout storeWithData(Path root) {
        FileLayout l = PieceStoreTest.oddLayout();
        try (PieceStore s = PieceStore.open(root, l, Preallocation.SPARSE)) {
            PieceStoreTest.writeAll(s, l, PieceStoreTest.content(l, 5));
            s.force();
        }
        return l;
    }

    @Test
    void savesAndLoadsRoundTrip(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("dl");
        FileLayout l = storeWithData(root);
        Bitfield verified = someVerified(l.pieceCount());
        ResumeData r = ResumeData.of(HASH, verified, l.pieceCount(), l, root);
        Path file = dir.resolve("resume/t.resume");
        r.save(file);
        ResumeData back = ResumeData.load(file);
        assertThat(back).isNotNull();
        assertThat(back.infoHash()).isEqualTo(HASH);
        assertThat(back.bitfield()).isEqualTo(verified);
        assertThat(back.matches(l)).isTrue();
        assertThat(back.piecesToRecheck(l, root).isEmpty()).isTrue();
        assertThat(back.trustedPieces(l, root)).isEqualTo(verified);
        // No temporary files left behind.
        try (Stream<Path> s = Files.list(file.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("t.resume");
        }
        // Saving again replaces atomically.
        Bitfield more = verified.copy();
        more.set(1);
        ResumeData.of(HASH, more, l.pieceCount(), l, root).save(file);
        assertThat(ResumeData.load(file).bitfield()).isEqualTo(more);
    }

    /** Save never rewrites the old file in place: a reader (or a crash) mid-save sees the old or the new whole. */
    @Test
    void saveReplacesByRenameNotInPlace(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("dl");
        FileLayout l = storeWithData(root);
        Path file = dir.resolve("t.resume");
        ResumeData.of(HASH, someVerified(l.pieceCount()), l.pieceCount(), l, root).save(file);
        byte[] oldBytes = Files.readAllBytes(file);
        try (java.nio.channels.FileChannel old = java.nio.channels.FileChannel.open(file)) {
            Bitfield all = new Bitfield(l.pieceCount());
            all.setAll();
            ResumeData.of(HASH, all, l.pieceCount(), l, root).save(file);
            // The handle opened before the save still reads the complete old file: a new inode was renamed in.
            ByteBuffer b = ByteBuffer.allocate(oldBytes.length + 1);
            old.read(b, 0);
            assertThat(Arrays.copyOf(b.array(), b.position())).isEqualTo(oldBytes);
        }
        assertThat(ResumeData.load(file).bitfield().isComplete()).isTrue();
    }

    @Test
    void absentFileIsNull(@TempDir Path dir) {
        assertThat(ResumeData.load(dir.resolve("none"))).isNull();
        assertThat(ResumeData.read(dir.resolve("none"))).isNull();
    }

    @Test
    void corruptOrTruncatedFileIsRefusedNotTrusted(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("dl");
        FileLayout l = storeWithData(root);
        Path file = dir.resolve("t.resume");
        ResumeData.of(HASH, someVerified(l.pieceCount()), l.pieceCount(), l, root).save(file);
        byte[] good = Files.readAllBytes(file);

        // One flipped bit anywhere is caught by the CRC (or the magic).
        for (int i = 0; i < good.length; i += 7) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            Files.write(file, bad);
            assertThat(ResumeData.load(file)).as("flip at %d", i).isNull();
            assertThatThrownBy(() -> ResumeData.read(file))
                    .isInstanceOf(StoreException.class).hasMessageContaining(file.toString()).hasMessageContaining("corrupt");
        }
        for (int len : new int[] {0, 5, 12, good.length / 2, good.length - 1}) {
            Files.write(file, Arrays.copyOf(good, len));
            assertThat(ResumeData.load(file)).as("truncated to %d", len).isNull();
        }
        Files.write(file, "d8:announce3:xyze".getBytes());
        assertThatThrownBy(() -> ResumeData.read(file)).hasMessageContaining("magic");
    }

    @Test
    void versionAndFieldsAreValidatedEvenWithAValidCrc(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("dl");
        FileLayout l = storeWithData(root);
        byte[] good = ResumeData.of(HASH, someVerified(l.pieceCount()), l.pieceCount(), l, root).encode();
        byte[] bad = good.clone();
        bad[11] = 9; // version 9
        Path file = dir.resolve("t.resume");
        Files.write(file, withCrc(bad));
        assertThatThrownBy(() -> ResumeData.read(file)).hasMessageContaining("version 9");
    }

    private static byte[] withCrc(byte[] bytes) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
        return bytes;
    }

    @Test
    void touchedFileMarksOnlyItsPiecesForRecheck(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("dl");
        FileLayout l = storeWithData(root);
        Bitfield verified = new Bitfield(l.pieceCount());
        verified.setAll();
        ResumeData r = ResumeData.of(HASH, verified, l.pieceCount(), l, root);

        // dir/sub/b.bin is [101001, 101008): inside piece 2 only.
        Path b = root.resolve("dir/sub/b.bin");
        Files.setLastModifiedTime(b, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        Bitfield recheck = r.piecesToRecheck(l, root);
        assertThat(recheck.cardinality()).isEqualTo(1);
        assertThat(recheck.get(2)).isTrue();
        assertThat(r.trustedPieces(l, root).cardinality()).isEqualTo(l.pieceCount() - 1);

        // c.bin [101008, 224465) spans pieces 2..4; deleting it marks those.
        Files.delete(root.resolve("c.bin"));
        recheck = r.piecesToRecheck(l, root);
        assertThat(recheck.get(2)).isTrue();
        assertThat(recheck.get(3)).isTrue();
        assertThat(recheck.get(4)).isTrue();
        assertThat(recheck.get(0)).isFalse();
        assertThat(recheck.get(1)).isFalse();
    }

    @Test
    void differentLayoutMeansRecheckEverything(@TempDir Path dir) {
        Path root = dir.resolve("dl");
        FileLayout l = storeWithData(root);
        ResumeData r = ResumeData.of(HASH, someVerified(l.pieceCount()), l.pieceCount(), l, root);
        FileLayout other = new FileLayout(List.of(StoredFile.of("dir/a.bin", 100_001)), PieceStoreTest.PIECE);
        assertThat(r.matches(other)).isFalse();
        assertThat(r.piecesToRecheck(other, root).isComplete()).isTrue();
        assertThat(r.trustedPieces(other, root).isEmpty()).isTrue();
    }

    /** The decoder is a parser of untrusted bytes: whatever they are, it answers null/data or a StoreException. */
    @net.jqwik.api.Property(tries = 300)
    void anyBytesDecodeOrFailCleanly(@net.jqwik.api.ForAll byte[] noise,
                                     @net.jqwik.api.ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 200) int cut,
                                     @net.jqwik.api.ForAll boolean fixCrc) throws Exception {
        Path dir = Files.createTempDirectory("resume-fuzz");
        try {
            FileLayout l = new FileLayout(List.of(StoredFile.of("a", 1000), StoredFile.of("b", 3000)), 512);
            byte[] good = ResumeData.of(HASH, someVerified(l.pieceCount()), l.pieceCount(), l, dir).encode();
            // Splice noise into a valid file, and optionally recompute the CRC so the field checks are reached.
            byte[] bytes = Arrays.copyOf(good, Math.max(12, Math.min(good.length, cut + noise.length + 4)));
            System.arraycopy(noise, 0, bytes, Math.min(cut, bytes.length), Math.min(noise.length, bytes.length - Math.min(cut, bytes.length)));
            if (fixCrc && bytes.length > 4) {
                withCrc(bytes);
            }
            Path file = dir.resolve("r");
            Files.write(file, bytes);
            try {
                ResumeData r = ResumeData.read(file);
                if (r != null) {
                    assertThat(r.infoHash().length).isIn(20, 32);
                    r.piecesToRecheck(l, dir);
                }
            } catch (StoreException e) {
                assertThat(e).hasMessageContaining(file.toString());
            }
        } finally {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    void rejectsMismatchedArguments(@TempDir Path dir) {
        FileLayout l = PieceStoreTest.oddLayout();
        assertThatThrownBy(() -> ResumeData.of(new byte[19], new Bitfield(l.pieceCount()), l.pieceCount(), l, dir))
                .hasMessageContaining("19");
        assertThatThrownBy(() -> ResumeData.of(HASH, new Bitfield(3), 3, l, dir)).hasMessageContaining("3 pieces");
    }
}
