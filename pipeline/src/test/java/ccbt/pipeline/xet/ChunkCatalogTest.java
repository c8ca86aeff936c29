package ccbt.pipeline.xet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.core.InfoHash;
import ccbt.store.FileLayout;
import ccbt.store.StoredFile;
import ccbt.xet.XetChunkHasher;
import ccbt.xet.format.ChunkList;
import ccbt.xet.hash.XetHash;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkCatalogTest {
    @TempDir
    Path tmp;

    private static byte[] data(final int length, final long seed) {
        final byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static ChunkList listOf(final byte[] content) {
        final XetChunkHasher hasher = new XetChunkHasher(null);
        hasher.update(content, 0, content.length);
        hasher.finish();
        return ChunkList.of(hasher.chunks());
    }

    private static FileLayout layout(final long a, final long b) {
        return new FileLayout(List.of(new StoredFile("t/a", a, false), new StoredFile("t/pad", 100, true),
            new StoredFile("t/b", b, false)), 32 * 1024);
    }

    @Test
    void storedListsSurviveReopeningAndFindChunks() {
        final byte[] a = data(300_000, 1);
        final byte[] b = data(200_000, 2);
        final FileLayout layout = layout(a.length, b.length);
        final Path dir = tmp.resolve("lists/abc");
        final ChunkCatalog catalog = ChunkCatalog.open(dir, layout, null);
        final ChunkList la = listOf(a);
        assertThat(catalog.newHashes(0, la)).hasSize(la.size());
        final List<XetHash> fresh = catalog.store(0, la);
        assertThat(catalog.newHashes(0, la)).isNull();
        assertThat(fresh).hasSize(la.size());
        assertThat(catalog.store(0, la)).as("a second store of the same file takes no references").isNull();
        assertThat(catalog.isComplete()).isFalse();
        catalog.store(2, listOf(b));
        assertThat(catalog.isComplete()).isTrue();
        assertThat(catalog.find(la.hash(1))).isEqualTo(new ChunkCatalog.Location(0, la.length(0), la.length(1)));

        final ChunkCatalog reopened = ChunkCatalog.open(dir, layout, new XetHash[] {la.fileHash(), null,
            listOf(b).fileHash()});
        assertThat(reopened.isComplete()).isTrue();
        assertThat(reopened.serializedList(0)).isEqualTo(la.serialize());
        assertThat(reopened.hashes()).isEqualTo(catalog.hashes());
        assertThat(dir.resolve("0.chunks.tmp")).doesNotExist();
    }

    @Test
    void hashesSharedWithAnEarlierFileAreNotFreshAgain() {
        final byte[] a = data(300_000, 3);
        final FileLayout layout = layout(a.length, a.length);
        final ChunkCatalog catalog = ChunkCatalog.open(tmp.resolve("l"), layout, null);
        catalog.store(0, listOf(a));
        assertThat(catalog.store(2, listOf(a))).isEmpty();
    }

    @Test
    void aStoredListThatDoesNotMatchTheTorrentIsDropped() throws Exception {
        final byte[] a = data(100_000, 4);
        final byte[] b = data(100_000, 5);
        final FileLayout layout = layout(a.length, b.length);
        final Path dir = tmp.resolve("l");
        ChunkCatalog.open(dir, layout, null).store(0, listOf(a));
        final ChunkCatalog reopened = ChunkCatalog.open(dir, layout, new XetHash[] {listOf(b).fileHash(), null, null});
        assertThat(reopened.list(0)).isNull();
        assertThat(dir.resolve("0.chunks")).doesNotExist();

        Files.write(dir.resolve("2.chunks"), new byte[] {1, 2, 3});
        assertThat(ChunkCatalog.open(dir, layout, null).list(2)).isNull();
    }

    @Test
    void aListOfTheWrongLengthIsRefused() {
        final FileLayout layout = layout(1000, 2000);
        final ChunkCatalog catalog = ChunkCatalog.open(tmp.resolve("l"), layout, null);
        assertThatThrownBy(() -> catalog.store(0, listOf(data(999, 6))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("999");
    }

    @Test
    void deleteRemovesTheStoredLists() {
        final byte[] a = data(50_000, 7);
        final FileLayout layout = layout(a.length, 10);
        final Path dir = tmp.resolve("l");
        final ChunkCatalog catalog = ChunkCatalog.open(dir, layout, null);
        catalog.store(0, listOf(a));
        catalog.delete();
        assertThat(dir).doesNotExist();
        assertThat(catalog.find(listOf(a).hash(0))).isNull();
    }

    @Test
    void storesResolveToTheirRecordedPathsAcrossReopens() throws Exception {
        final Path registry = tmp.resolve("stores.tsv");
        final InfoHash ih = InfoHash.of(new byte[20]);
        final XetStores stores = XetStores.open(registry);
        final int legacy = stores.idOf(ih, 0, "t/a");
        assertThat(stores.pathOf(legacy)).isNull();
        final int same = stores.idOf(ih, 0, "t/a", tmp.resolve("one/t/a"));
        assertThat(same).isEqualTo(legacy);
        assertThat(stores.pathOf(same)).isEqualTo(tmp.resolve("one/t/a").toAbsolutePath());
        stores.idOf(ih, 0, "t/a", tmp.resolve("two/t/a"));
        final int other = stores.idOf(ih, 1, "t/b", tmp.resolve("two/t/b"));
        assertThat(other).isNotEqualTo(same);

        final XetStores reopened = XetStores.open(registry);
        assertThat(reopened.size()).isEqualTo(2);
        assertThat(reopened.pathOf(same)).isEqualTo(tmp.resolve("two/t/a").toAbsolutePath());
        assertThat(reopened.idOf(ih, 1, "t/b")).isEqualTo(other);
        // Older readers split on the first three tabs only: the id, hash and index still come first.
        assertThat(Files.readAllLines(registry).get(1).split("\t", 4)[0]).isEqualTo(String.valueOf(same));
    }
}
