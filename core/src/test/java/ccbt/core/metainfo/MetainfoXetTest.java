package ccbt.core.metainfo;

import static ccbt.core.metainfo.MetainfoTest.info;
import static ccbt.core.metainfo.MetainfoTest.path;
import static ccbt.core.metainfo.MetainfoTest.torrent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.core.bencode.BDict;
import ccbt.core.bencode.BList;
import ccbt.core.bencode.BValue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-file Xet hash ({@value Metainfo#XET_HASH_KEY}) a torrent made with {@code ccbt create --xet} carries. */
class MetainfoXetTest {
    private static byte[] hash(int seed) {
        final byte[] h = new byte[Metainfo.XET_HASH_LENGTH];
        for (int i = 0; i < h.length; i++) {
            h[i] = (byte) (seed * 31 + i);
        }
        return h;
    }

    private static BDict file(long length, BValue xet, String... components) {
        final BDict.Builder b = BDict.builder().put("length", length).put("path", path(components));
        if (xet != null) {
            b.put(Metainfo.XET_HASH_KEY, xet);
        }
        return b.build();
    }

    private static BDict file(long length, byte[] xet, String... components) {
        return file(length, xet == null ? null : ccbt.core.bencode.BString.of(xet), components);
    }

    @Test
    void readsTheXetHashOfEachFileOfAMultiFileTorrent() {
        final BDict info = info("set", 16384, 300).put("files", new BList(List.of(
                file(100, hash(1), "a"),
                BDict.builder().put("length", 100).put("path", path(".pad", "100")).put("attr", "p").build(),
                file(100, hash(2), "dir", "b")))).build();
        final Metainfo m = Metainfo.parse(torrent(info));
        assertThat(m.files().get(0).xetHash()).isEqualTo(hash(1));
        assertThat(m.files().get(1).hasXetHash()).isFalse();
        assertThat(m.files().get(2).xetHash()).isEqualTo(hash(2));
        assertThat(m.hasXetHashes()).isTrue();
        assertThat(m.files().get(0)).isEqualTo(new FileEntry(List.of("set", "a"), 100, 0, false, hash(1)))
                .isNotEqualTo(new FileEntry(List.of("set", "a"), 100, 0, false, hash(3)))
                .hasSameHashCodeAs(new FileEntry(List.of("set", "a"), 100, 0, false, hash(1)));
    }

    @Test
    void readsTheXetHashOfASingleFileTorrentFromInfo() {
        final BDict info = info("one.bin", 16384, 5000).put("length", 5000).put(Metainfo.XET_HASH_KEY, hash(7)).build();
        final Metainfo m = Metainfo.parse(torrent(info));
        assertThat(m.files().getFirst().xetHash()).isEqualTo(hash(7));
        assertThat(m.hasXetHashes()).isTrue();
    }

    @Test
    void aTorrentWithoutXetHashesHasNone() {
        final BDict info = info("set", 16384, 200).put("files", new BList(List.of(
                file(100, hash(1), "a"), file(100, (byte[]) null, "b")))).build();
        final Metainfo m = Metainfo.parse(torrent(info));
        assertThat(m.files().get(1).xetHash()).isNull();
        assertThat(m.hasXetHashes()).isFalse();
    }

    @Test
    void theExposedHashIsACopy() {
        final BDict info = info("one.bin", 16384, 10).put("length", 10).put(Metainfo.XET_HASH_KEY, hash(7)).build();
        final FileEntry f = Metainfo.parse(torrent(info)).files().getFirst();
        f.xetHash()[0] ^= 1;
        assertThat(f.xetHash()).isEqualTo(hash(7));
    }

    @Test
    void refusesAXetHashOfTheWrongLengthNamingTheFile() {
        for (final int length : new int[] {0, 20, 31, 33, 64}) {
            final BDict info = info("set", 16384, 200).put("files", new BList(List.of(
                    file(100, hash(1), "a"), file(100, new byte[length], "dir", "b")))).build();
            assertThatThrownBy(() -> Metainfo.parse(torrent(info))).isInstanceOf(MetainfoException.class)
                    .hasMessageContaining("info.files[1].xet hash").hasMessageContaining("'set/dir/b'")
                    .hasMessageContaining(length + " bytes, expected 32");
        }
        final BDict single = info("one.bin", 16384, 10).put("length", 10).put(Metainfo.XET_HASH_KEY, new byte[31]).build();
        assertThatThrownBy(() -> Metainfo.parse(torrent(single))).isInstanceOf(MetainfoException.class)
                .hasMessageContaining("info.xet hash of 'one.bin' is 31 bytes");
    }

    @Test
    void refusesAXetHashThatIsNotAString() {
        final BDict info = info("set", 16384, 100).put("files", new BList(List.of(
                file(100, new ccbt.core.bencode.BInt(5), "a")))).build();
        assertThatThrownBy(() -> Metainfo.parse(torrent(info))).isInstanceOf(MetainfoException.class)
                .hasMessageContaining("info.files[0].xet hash of 'set/a' is a");
    }

    @Test
    void fileEntryRefusesAWrongLengthHash() {
        assertThatThrownBy(() -> new FileEntry(List.of("x"), 1, 0, false, new byte[16]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("xet hash of x must be 32 bytes, got 16");
    }
}
