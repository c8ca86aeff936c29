package ccbt.core.create;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.core.bencode.BDict;
import ccbt.core.bencode.BInt;
import ccbt.core.bencode.BString;
import ccbt.core.bencode.BValue;
import ccbt.core.bencode.Bencode;
import ccbt.core.metainfo.FileEntry;
import ccbt.core.metainfo.Metainfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class TorrentCreatorTest {
    @TempDir
    Path tmp;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** SHA-1 of each piece of {@code data}, computed independently of the creator. */
    private static byte[] manualPieceHashes(byte[] data, int pieceLength) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int off = 0; off < data.length; off += pieceLength) {
            MessageDigest sha = MessageDigest.getInstance("SHA-1");
            sha.update(data, off, Math.min(pieceLength, data.length - off));
            out.writeBytes(sha.digest());
        }
        return out.toByteArray();
    }

    @Test
    void singleFileRoundTripsWithManualPieceHashes() throws Exception {
        byte[] data = random(100_000, 1);
        Path file = Files.write(tmp.resolve("data.bin"), data);
        List<Long> progress = new ArrayList<>();
        Metainfo m = new TorrentCreator(file)
                .pieceSize(32 * 1024)
                .trackers(List.of("http://127.0.0.1:6969/announce", "udp://127.0.0.1:6969"))
                .privateFlag(true)
                .comment("test data")
                .progress(progress::add)
                .createMetainfo();
        assertThat(m.name()).isEqualTo("data.bin");
        assertThat(m.totalLength()).isEqualTo(100_000);
        assertThat(m.pieceLength()).isEqualTo(32 * 1024);
        assertThat(m.pieceCount()).isEqualTo(4);
        assertThat(m.pieceHashes()).isEqualTo(manualPieceHashes(data, 32 * 1024));
        assertThat(m.files()).containsExactly(new FileEntry(List.of("data.bin"), 100_000, 0, false));
        assertThat(m.isPrivate()).isTrue();
        assertThat(m.announceTiers()).containsExactly(List.of("http://127.0.0.1:6969/announce"), List.of("udp://127.0.0.1:6969"));
        assertThat(m.comment()).isEqualTo("test data");
        assertThat(m.createdBy()).isEqualTo("ccbt/0.1");
        assertThat(progress).isSorted().last().isEqualTo(100_000L);
    }

    @Test
    void directoryIncludesHiddenFilesInSortedOrder() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("album"));
        Files.createDirectories(dir.resolve("sub/deeper"));
        byte[] a = random(20_000, 2);
        byte[] b = random(5, 3);
        byte[] c = random(40_000, 4);
        byte[] hidden = random(3_000, 5);
        Files.write(dir.resolve("sub/deeper/c.bin"), c);
        Files.write(dir.resolve("b.txt"), b);
        Files.write(dir.resolve("a.txt"), a);
        Files.write(dir.resolve(".hidden"), hidden);
        Files.write(dir.resolve("empty"), new byte[0]);
        Metainfo m = new TorrentCreator(dir).pieceSize(16 * 1024).createMetainfo();
        assertThat(m.name()).isEqualTo("album");
        assertThat(m.files()).extracting(FileEntry::relativePath)
                .containsExactly("album/.hidden", "album/a.txt", "album/b.txt", "album/empty", "album/sub/deeper/c.bin");
        byte[] all = concat(hidden, a, b, c);
        assertThat(m.totalLength()).isEqualTo(all.length);
        assertThat(m.pieceHashes()).isEqualTo(manualPieceHashes(all, 16 * 1024));
        assertThat(m.announceTiers()).isEmpty();
    }

    @Test
    void padFilesAlignEveryFileToAPiece() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("padded"));
        byte[] a = random(10_000, 6);
        byte[] b = random(16_384, 7);
        byte[] c = random(100, 8);
        Files.write(dir.resolve("a"), a);
        Files.write(dir.resolve("b"), b);
        Files.write(dir.resolve("c"), c);
        Metainfo m = new TorrentCreator(dir).pieceSize(16 * 1024).padFiles(true).createMetainfo();
        assertThat(m.files()).extracting(FileEntry::relativePath).containsExactly("padded/a", "padded/.pad/6384", "padded/b", "padded/c");
        assertThat(m.files()).extracting(FileEntry::padFile).containsExactly(false, true, false, false);
        assertThat(m.files().stream().filter(f -> !f.padFile()).mapToLong(FileEntry::offset)).allMatch(o -> o % 16384 == 0);
        assertThat(m.pieceHashes()).isEqualTo(manualPieceHashes(concat(a, new byte[6384], b, c), 16 * 1024));
    }

    /**
     * Many pieces over several files (pieces hashed two at a time where ccbt's pair hashing is available, one at a
     * time for pieces over 16 MiB), with and without pad files, an odd number of pieces and a short last one, pieces
     * larger than the read buffer: every piece hash equals the JDK's over the concatenated content.
     */
    @Test
    void everyPieceHashIsRightOverManyFilesAndPieceSizes() throws Exception {
        byte[][] parts = {random(300_001, 20), random(16_384, 21), random(1, 22), random(2_500_000, 23), random(77_777, 24)};
        Path dir = Files.createDirectory(tmp.resolve("many"));
        for (int i = 0; i < parts.length; i++) {
            Files.write(dir.resolve("f" + i), parts[i]);
        }
        for (int pieceSize : new int[] {16 * 1024, 48 * 1024, 2 << 20, 32 << 20}) {
            Metainfo plain = new TorrentCreator(dir).pieceSize(pieceSize).createMetainfo();
            assertThat(plain.pieceHashes()).as("piece size %d", pieceSize).isEqualTo(manualPieceHashes(concat(parts), pieceSize));
            Metainfo padded = new TorrentCreator(dir).pieceSize(pieceSize).padFiles(true).createMetainfo();
            java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < parts.length; i++) {
                content.writeBytes(parts[i]);
                long rest = content.size() % pieceSize;
                if (i < parts.length - 1 && rest != 0) {
                    content.writeBytes(new byte[(int) (pieceSize - rest)]);
                }
            }
            assertThat(padded.pieceHashes()).as("padded, piece size %d", pieceSize)
                    .isEqualTo(manualPieceHashes(content.toByteArray(), pieceSize));
        }
    }

    @Test
    void acceptsNonPowerOfTwoPieceSize() throws Exception {
        byte[] data = random(150_000, 9);
        Path file = Files.write(tmp.resolve("f"), data);
        Metainfo m = new TorrentCreator(file).pieceSize(48 * 1024).createMetainfo();
        assertThat(m.pieceLength()).isEqualTo(49_152);
        assertThat(m.pieceCount()).isEqualTo(4);
        assertThat(m.pieceHashes()).isEqualTo(manualPieceHashes(data, 48 * 1024));
        assertThatThrownBy(() -> new TorrentCreator(file).pieceSize(10_000)).hasMessageContaining("multiple of 16384");
        assertThatThrownBy(() -> new TorrentCreator(file).pieceSize(128 << 20)).hasMessageContaining("multiple of 16384");
    }

    @Test
    void automaticPieceSizeAimsAt1000To2000Pieces() {
        assertThat(TorrentCreator.autoPieceSize(0)).isEqualTo(16 * 1024);
        assertThat(TorrentCreator.autoPieceSize(1 << 20)).isEqualTo(16 * 1024);
        assertThat(TorrentCreator.autoPieceSize(1L << 30)).isEqualTo(1 << 20);
        assertThat(TorrentCreator.autoPieceSize(1L << 45)).isEqualTo(16 << 20);
        for (long total = 64L << 20; total < 16L << 30; total = total * 3 / 2) {
            int size = TorrentCreator.autoPieceSize(total);
            long pieces = (total + size - 1) / size;
            assertThat(Integer.bitCount(size)).isEqualTo(1);
            assertThat(pieces).as("pieces for %d bytes", total).isBetween(1000L, 2000L);
        }
    }

    @Test
    void refusesSymbolicLinks() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("links"));
        Files.write(dir.resolve("real"), new byte[] {1});
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
        assertThatThrownBy(() -> new TorrentCreator(dir).create()).isInstanceOf(IOException.class)
                .hasMessageContaining("refusing symbolic link link -> ");
        assertThatThrownBy(() -> new TorrentCreator(dir.resolve("link")).create()).isInstanceOf(IOException.class)
                .hasMessageContaining("refusing symbolic link");
    }

    @Test
    void refusesEmptyDirectoriesAndUnsafeNames() throws Exception {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertThatThrownBy(() -> new TorrentCreator(empty).create()).hasMessageContaining("no files to add");
        Path dir = Files.createDirectory(tmp.resolve("odd"));
        Files.write(dir.resolve("back\\slash"), new byte[] {1});
        assertThatThrownBy(() -> new TorrentCreator(dir).create()).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot put 'back\\slash' in a torrent");
    }

    @Test
    void fileExtrasGoIntoFileDictsOrTheSingleFileInfo() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("x"));
        Files.write(dir.resolve("one"), random(10, 10));
        Files.write(dir.resolve("two"), random(20, 11));
        byte[] multi = new TorrentCreator(dir)
                .creationDate(null)
                .fileExtras(p -> Map.of("xet hash", BString.of(p.getFileName().toString().toUpperCase())))
                .create();
        BDict info = ((BDict) Bencode.decode(multi)).dict("info");
        List<String> extras = info.list("files").items().stream().map(f -> ((BDict) f).string("xet hash")).toList();
        assertThat(extras).containsExactly("ONE", "TWO");
        assertThat(((BDict) Bencode.decode(multi)).containsKey("creation date")).isFalse();

        Path single = Files.write(tmp.resolve("single"), random(10, 12));
        byte[] one = new TorrentCreator(single).fileExtras(p -> Map.of("mtime", new BInt(7))).create();
        assertThat(((BDict) Bencode.decode(one)).dict("info").integer("mtime")).isEqualTo(7);
        assertThat(((BDict) Bencode.decode(one)).integer("creation date")).isCloseTo(Instant.now().getEpochSecond(),
                org.assertj.core.data.Offset.offset(60L));

        assertThatThrownBy(() -> new TorrentCreator(single).fileExtras(p -> Map.<String, BValue>of("length", new BInt(1))).create())
                .hasMessageContaining("may not replace the key 'length'");
    }

    @Test
    void sameInputGivesTheSameInfoHash() throws Exception {
        Path file = Files.write(tmp.resolve("same"), random(70_000, 13));
        Metainfo first = new TorrentCreator(file).createMetainfo();
        Metainfo second = new TorrentCreator(file).comment("other").createMetainfo();
        assertThat(first.infoHashV1()).isEqualTo(second.infoHashV1());
        assertThat(first.pieceLength()).isEqualTo(16 * 1024);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Arrays.stream(parts).forEach(out::writeBytes);
        return out.toByteArray();
    }
}
