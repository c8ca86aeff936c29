package ccbt.core.metainfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.core.bencode.BDict;
import ccbt.core.bencode.BInt;
import ccbt.core.bencode.BList;
import ccbt.core.bencode.BString;
import ccbt.core.bencode.BValue;
import ccbt.core.bencode.Bencode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetainfoTest {
    static BList path(String... components) {
        return new BList(Arrays.stream(components).<BValue>map(BString::of).toList());
    }

    static BDict file(long length, String... components) {
        return BDict.builder().put("length", length).put("path", path(components)).build();
    }

    static byte[] torrent(BDict info) {
        return Bencode.encode(BDict.builder().put("announce", "http://127.0.0.1:6969/announce").put("info", info).build());
    }

    static BDict.Builder info(String name, int pieceLength, long total) {
        int pieces = (int) ((total + pieceLength - 1) / pieceLength);
        return BDict.builder().put("name", name).put("piece length", pieceLength).put("pieces", new byte[20 * pieces]);
    }

    @Test
    void parsesSingleFileTorrentAndHashesTheRawInfoBytes() throws Exception {
        byte[] data = new byte[40_000];
        Arrays.fill(data, (byte) 7);
        MessageDigest sha = MessageDigest.getInstance("SHA-1");
        byte[] pieces = new byte[40];
        sha.update(data, 0, 32768);
        System.arraycopy(sha.digest(), 0, pieces, 0, 20);
        sha.update(data, 32768, data.length - 32768);
        System.arraycopy(sha.digest(), 0, pieces, 20, 20);
        BDict info = BDict.builder().put("name", "film.mkv").put("piece length", 32768).put("pieces", pieces)
                .put("length", data.length).put("private", 1).build();
        byte[] file = Bencode.encode(BDict.builder()
                .put("announce", "http://127.0.0.1:6969/announce")
                .put("comment", "a comment")
                .put("created by", "test")
                .put("info", info)
                .build());
        Metainfo m = Metainfo.parse(file);
        assertThat(m.name()).isEqualTo("film.mkv");
        assertThat(m.pieceLength()).isEqualTo(32768);
        assertThat(m.pieceCount()).isEqualTo(2);
        assertThat(m.pieceSize(1)).isEqualTo(40_000 - 32768);
        assertThat(m.pieceHashes()).isEqualTo(pieces);
        assertThat(m.pieceHash(1)).isEqualTo(Arrays.copyOfRange(pieces, 20, 40));
        assertThat(m.pieceHashMatches(1, pieces, 20)).isTrue();
        assertThat(m.pieceHashMatches(0, pieces, 20)).isFalse();
        assertThatThrownBy(() -> m.pieceHash(2)).isInstanceOf(IndexOutOfBoundsException.class).hasMessage("piece 2 of 2");
        assertThat(m.totalLength()).isEqualTo(40_000);
        assertThat(m.files()).containsExactly(new FileEntry(List.of("film.mkv"), 40_000, 0, false));
        assertThat(m.files().getFirst().relativePath()).isEqualTo("film.mkv");
        assertThat(m.isPrivate()).isTrue();
        assertThat(m.announceTiers()).containsExactly(List.of("http://127.0.0.1:6969/announce"));
        assertThat(m.comment()).isEqualTo("a comment");
        assertThat(m.createdBy()).isEqualTo("test");
        byte[] encodedInfo = Bencode.encode(info);
        assertThat(m.infoBytes()).isEqualTo(encodedInfo);
        assertThat(m.infoHashV1().bytes()).isEqualTo(MessageDigest.getInstance("SHA-1").digest(encodedInfo));
        assertThat(m.info().string("name")).isEqualTo("film.mkv");
        assertThat(Metainfo.parseInfo(encodedInfo).infoHashV1()).isEqualTo(m.infoHashV1());
    }

    @Test
    void infoHashUsesTheFileBytesEvenWithUnknownKeys() throws Exception {
        // keys we do not know still count: the hash must be over the raw span, not a re-encoding of what we read
        String info = "d6:lengthi3e4:name1:a12:piece lengthi16384e6:pieces20:" + "x".repeat(20) + "7:zzextrai5ee";
        byte[] file = ("d4:info" + info + "e").getBytes(StandardCharsets.ISO_8859_1);
        Metainfo m = Metainfo.parse(file);
        assertThat(m.infoHashV1().hex()).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-1").digest(info.getBytes(StandardCharsets.ISO_8859_1))));
        assertThat(m.comment()).isNull();
        assertThat(m.createdBy()).isNull();
        assertThat(m.announceTiers()).isEmpty();
        assertThat(m.isPrivate()).isFalse();
    }

    @Test
    void parsesMultiFileTorrentWithPadFilesAndUnicode() {
        BDict pad = BDict.builder().put("attr", "p").put("length", 16384 - 100).put("path", path(".pad", "16284")).build();
        BDict unicode = BDict.builder().put("length", 5).put("path", path("wrong"))
                .put("path.utf-8", path("música", "canción.flac")).build();
        BDict info = info("album", 16384, 100 + 16284 + 5 + 0)
                .put("files", new BList(List.of(file(100, "cover.jpg"), pad, unicode, file(0, "sub", "empty.txt"))))
                .build();
        Metainfo m = Metainfo.parse(torrent(info));
        assertThat(m.totalLength()).isEqualTo(16384 + 5);
        assertThat(m.pieceCount()).isEqualTo(2);
        assertThat(m.files()).extracting(FileEntry::relativePath)
                .containsExactly("album/cover.jpg", "album/.pad/16284", "album/música/canción.flac", "album/sub/empty.txt");
        assertThat(m.files()).extracting(FileEntry::offset).containsExactly(0L, 100L, 16384L, 16389L);
        assertThat(m.files()).extracting(FileEntry::padFile).containsExactly(false, true, false, false);
        assertThat(m.files().get(2).path()).containsExactly("album", "música", "canción.flac");
    }

    @Test
    void readsAnnounceListTiersBeforeAnnounce() {
        BDict root = BDict.builder()
                .put("announce", "http://127.0.0.1:1/a")
                .put("announce-list", new BList(List.of(path("http://127.0.0.1:2/a", "udp://127.0.0.1:3"), path(), path("http://127.0.0.1:4/a"))))
                .put("info", info("x", 16384, 1).put("length", 1).build())
                .build();
        assertThat(Metainfo.parse(Bencode.encode(root)).announceTiers())
                .containsExactly(List.of("http://127.0.0.1:2/a", "udp://127.0.0.1:3"), List.of("http://127.0.0.1:4/a"));
    }

    @Test
    void rejectsPathTraversalInMultiFileTorrent() {
        BDict info = info("t", 16384, 2).put("files", new BList(List.of(file(1, "a"), file(1, "b"), file(0, "..", "etc", "passwd")))).build();
        assertThatThrownBy(() -> Metainfo.parse(torrent(info))).isInstanceOf(MetainfoException.class)
                .hasMessage("hostile torrent: path component '..' in info.files[2].path");
    }

    @Test
    void rejectsHostilePathComponents() {
        assertHostile(file(1, "/etc/passwd"), "path separator in component '/etc/passwd' in info.files[0].path");
        assertHostile(file(1, "a\\..\\b"), "path separator");
        assertHostile(file(1, "C:"), "drive path component 'C:'");
        assertHostile(file(1, "c:windows"), "drive path component");
        assertHostile(file(1, "nul\0byte"), "NUL byte in path component 'nul\\0byte'");
        assertHostile(file(1, "."), "path component '.'");
        assertHostile(file(1, "a", ""), "empty path component in info.files[0].path");
        assertHostile(file(1), "info.files[0].path is empty");
        assertThatThrownBy(() -> Metainfo.parse(torrent(info("..", 16384, 1).put("length", 1).build())))
                .hasMessage("hostile torrent: path component '..' in info.name");
        assertThatThrownBy(() -> Metainfo.parse(torrent(info("a/b", 16384, 1).put("length", 1).build())))
                .hasMessageContaining("path separator in component 'a/b' in info.name");
    }

    @Test
    void rejectsFilesThatCollide() {
        assertThatThrownBy(() -> Metainfo.parse(torrent(info("t", 16384, 2)
                .put("files", new BList(List.of(file(1, "a"), file(1, "a")))).build())))
                .hasMessage("hostile torrent: path 't/a' of info.files[1] is used twice");
        assertThatThrownBy(() -> Metainfo.parse(torrent(info("t", 16384, 2)
                .put("files", new BList(List.of(file(1, "a"), file(1, "a", "b")))).build())))
                .hasMessageContaining("puts a file under 't/a'");
        assertThatThrownBy(() -> Metainfo.parse(torrent(info("t", 16384, 2)
                .put("files", new BList(List.of(file(1, "a", "b"), file(1, "a")))).build())))
                .hasMessageContaining("used twice");
    }

    @Test
    void rejectsHugeLengthsAndBadPieces() {
        assertThatThrownBy(() -> Metainfo.parse(torrent(info("x", 16384, 1).put("length", 1L << 51).build())))
                .hasMessageContaining("info.length 2251799813685248 exceeds 2^50");
        assertThatThrownBy(() -> Metainfo.parse(torrent(info("x", 16384, 1).put("length", -1).build())))
                .hasMessageContaining("info.length is negative");
        assertThatThrownBy(() -> Metainfo.parse(torrent(info("x", 16384, 1)
                .put("files", new BList(List.of(file(1L << 50, "a"), file(1L << 50, "b")))).build())))
                .hasMessageContaining("total length exceeds 2^50 bytes at info.files[1]");
        assertThatThrownBy(() -> Metainfo.parse(torrent(info("x", 16384, 3 * 16384).put("length", 16385).build())))
                .hasMessage("invalid torrent: info.pieces holds 3 hashes but 16385 bytes in pieces of 16384 need 2");
        assertThatThrownBy(() -> Metainfo.parse(torrent(BDict.builder().put("name", "x").put("piece length", 16384)
                .put("pieces", new byte[21]).put("length", 1).build())))
                .hasMessageContaining("not a multiple of 20");
        assertThatThrownBy(() -> Metainfo.parse(torrent(info("x", 16384, 1).put("piece length", 0).put("length", 1).build())))
                .hasMessageContaining("info.piece length 0 is outside");
        assertThatThrownBy(() -> Metainfo.parse(torrent(BDict.builder().put("name", "x").put("piece length", 128L << 20)
                .put("pieces", new byte[20]).put("length", 1).build())))
                .hasMessageContaining("info.piece length 134217728 is outside");
    }

    @Test
    void rejectsMalformedStructure() {
        assertThatThrownBy(() -> Metainfo.parse("not bencode".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(MetainfoException.class).hasMessageStartingWith("invalid torrent: bencode: ");
        assertThatThrownBy(() -> Metainfo.parse(Bencode.encode(BDict.builder().put("info", 1).build())))
                .hasMessage("invalid torrent: 'info' is a integer, expected a dictionary");
        assertThatThrownBy(() -> Metainfo.parse(Bencode.encode(BDict.builder().build())))
                .hasMessage("invalid torrent: missing 'info' dictionary");
        assertThatThrownBy(() -> Metainfo.parse(torrent(info("x", 16384, 1).build())))
                .hasMessage("invalid torrent: info has neither 'length' nor 'files'");
        assertThatThrownBy(() -> Metainfo.parse(torrent(info("x", 16384, 1).put("length", 1)
                .put("files", new BList(List.of())).build())))
                .hasMessageContaining("both");
        assertThatThrownBy(() -> Metainfo.parse(torrent(info("x", 16384, 1).put("files", new BList(List.of(new BInt(1)))).build())))
                .hasMessage("invalid torrent: info.files[0] is a integer, expected a dictionary");
        assertThatThrownBy(() -> Metainfo.parse(torrent(info("x", 16384, 1).put("files", new BList(List.of(
                BDict.builder().put("length", "1").put("path", path("a")).build()))).build())))
                .hasMessage("invalid torrent: info.files[0].length is a string, expected an integer");
        assertThatThrownBy(() -> Metainfo.parse(torrent(info("x", 16384, 1).put("name", new byte[] {(byte) 0xff}).put("length", 1).build())))
                .hasMessageContaining("info.name is not valid UTF-8");
    }

    private static void assertHostile(BDict file, String message) {
        BDict info = info("t", 16384, 1).put("files", new BList(List.of(file))).build();
        assertThatThrownBy(() -> Metainfo.parse(torrent(info))).isInstanceOf(MetainfoException.class)
                .hasMessageContaining(message).hasMessageStartingWith(message.contains(" is empty") ? "hostile torrent: info.files" : "hostile torrent: ");
    }
}
