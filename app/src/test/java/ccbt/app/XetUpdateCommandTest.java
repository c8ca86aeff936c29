package ccbt.app;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.bencode.BDict;
import ccbt.core.bencode.BList;
import ccbt.core.bencode.BString;
import ccbt.core.bencode.BValue;
import ccbt.core.bencode.Bencode;
import ccbt.core.bencode.BencodeLimits;
import ccbt.core.metainfo.FileEntry;
import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.xet.hash.XetHash;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ccbt xet update OLD.torrent NEW_DIR -o NEW.torrent}: the next version's torrent and what changed. */
class XetUpdateCommandTest extends CommandLineTest {
    private static final int MAX_CHUNK = 128 * 1024;

    private Path v1;
    private Path v2;
    private Path oldTorrent;

    /**
     * v1 under data/set (about 3 MiB: README, an empty file, three parts), its torrent with two trackers,
     * private, a comment and 32 KiB pieces; v2 under data/set-v2: a 4 KiB overwrite in part-0, 100 bytes
     * inserted near the start of part-1, part-2 untouched, README removed, a new 300 000-byte file.
     */
    @BeforeEach
    void versions() throws Exception {
        SampleDataset.write(tmp.resolve("data"), SampleDataset.standardLayout("set", 3 << 20, 3), 21);
        v1 = tmp.resolve("data/set");
        oldTorrent = tmp.resolve("set-v1.torrent");
        assertThat(ccbt("create", v1.toString(), "--xet", "--piece-size", "32KiB", "--tracker", "http://127.0.0.1:1/a",
            "--tracker", "http://127.0.0.1:2/b", "--private", "--comment", "weekly dump", "-o", oldTorrent.toString()))
            .as(err).isZero();
        v2 = tmp.resolve("data/set-v2");
        XetEdits.copyTree(v1, v2);
        XetEdits.overwrite(v2.resolve("data/part-0.bin"), 500_000, XetEdits.bytes(4096, 1));
        XetEdits.insert(v2.resolve("data/nested/part-1.bin"), 1_000, XetEdits.bytes(100, 2));
        Files.delete(v2.resolve("README.txt"));
        SampleDataset.writeFile(v2.resolve("data/new.bin"), 300_000, 99);
    }

    private Map<String, JsonNode> byPath(final JsonNode json) {
        final Map<String, JsonNode> files = new HashMap<>();
        json.get("files").forEach(f -> files.put(f.get("path").asText(), f));
        return files;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void keepsTheDatasetIdentityAndRecordsTheNewXetHashes() throws Exception {
        final Path newTorrent = tmp.resolve("set-v2.torrent");
        assertThat(ccbt("xet", "update", oldTorrent.toString(), v2.toString(), "-o", newTorrent.toString()))
            .as(err).isZero();
        final Metainfo old = Metainfo.parse(Files.readAllBytes(oldTorrent));
        final Metainfo next = Metainfo.parse(Files.readAllBytes(newTorrent));
        assertThat(next.name()).isEqualTo("set");
        assertThat(next.pieceLength()).isEqualTo(32 * 1024);
        assertThat(next.announceTiers()).isEqualTo(old.announceTiers())
            .isEqualTo(List.of(List.of("http://127.0.0.1:1/a"), List.of("http://127.0.0.1:2/b")));
        assertThat(next.isPrivate()).isTrue();
        assertThat(next.comment()).isEqualTo("weekly dump");
        assertThat(next.hasXetHashes()).isTrue();
        assertThat(next.infoHashV1()).isNotEqualTo(old.infoHashV1());
        assertThat(next.files()).extracting(FileEntry::relativePath)
            .contains("set/data/new.bin").doesNotContain("set/README.txt");
        for (final FileEntry f : next.files()) {
            final Path onDisk = v2.resolve(f.relativePath().substring("set/".length()));
            assertThat(ccbt("xet", "hash", onDisk.toString())).isZero();
            assertThat(XetHash.of(f.xetHash()).hex()).as(f.relativePath()).isEqualTo(out.substring(0, 64));
        }
        // The same pieces as `ccbt create` of the same content under the old name.
        XetEdits.copyTree(v2, tmp.resolve("again/set"));
        final Path direct = tmp.resolve("direct.torrent");
        assertThat(ccbt("create", tmp.resolve("again/set").toString(), "--piece-size", "32KiB", "-o", direct.toString()))
            .as(err).isZero();
        assertThat(next.pieceHashes()).isEqualTo(Metainfo.parse(Files.readAllBytes(direct)).pieceHashes());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void reportsPerFileChangesCountedInChunksAgainstTheOldDataBesideTheNewDirectory() throws Exception {
        final Path newTorrent = tmp.resolve("set-v2.torrent");
        assertThat(ccbt("xet", "update", oldTorrent.toString(), v2.toString(), "-o", newTorrent.toString()))
            .as(err).isZero();
        assertThat(out).contains("changes from " + oldTorrent + " (old data in " + v1 + "):")
            .containsPattern("(?m)^  unchanged\\s+set/data/part-2\\.bin\\s.*\\b(\\d+) of \\1 chunks shared")
            .containsPattern("(?m)^  modified\\s+set/data/part-0\\.bin\\s")
            .containsPattern("(?m)^  modified\\s+set/data/nested/part-1\\.bin\\s")
            .containsPattern("(?m)^  added\\s+set/data/new\\.bin\\s.*\\b0 of \\d+ chunks shared")
            .containsPattern("(?m)^  removed\\s+set/README\\.txt\\s")
            .containsPattern("(?m)^  unchanged\\s+set/empty\\.dat\\s")
            .contains("a peer holding the old version fetches")
            .doesNotContain("only the torrent");

        assertThat(ccbt("xet", "update", oldTorrent.toString(), v2.toString(), "-o", newTorrent.toString(), "--json"))
            .as(err).isZero();
        final JsonNode json = new ObjectMapper().readTree(out);
        assertThat(json.get("chunked").asBoolean()).isTrue();
        assertThat(json.get("oldData").asText()).isEqualTo(v1.toString());
        assertThat(json.get("infoHash").asText())
            .isEqualTo(Metainfo.parse(Files.readAllBytes(newTorrent)).infoHashV1().hex());
        final Map<String, JsonNode> files = byPath(json);
        final JsonNode p0 = files.get("set/data/part-0.bin");
        assertThat(p0.get("newBytes").asLong()).isPositive().isLessThanOrEqualTo(4096 + 2 * MAX_CHUNK);
        assertThat(p0.get("sharedBytes").asLong() + p0.get("newBytes").asLong()).isEqualTo(p0.get("length").asLong());
        final JsonNode p1 = files.get("set/data/nested/part-1.bin");
        assertThat(p1.get("length").asLong()).isEqualTo(Files.size(v1.resolve("data/nested/part-1.bin")) + 100);
        assertThat(p1.get("newBytes").asLong()).isPositive().isLessThanOrEqualTo(100 + 2 * MAX_CHUNK);
        assertThat(files.get("set/data/part-2.bin").get("newBytes").asLong()).isZero();
        assertThat(files.get("set/data/new.bin").get("newBytes").asLong()).isEqualTo(300_000);
        assertThat(files.get("set/README.txt").get("status").asText()).isEqualTo("removed");
        assertThat(json.get("uniqueNewBytes").asLong()).isEqualTo(p0.get("newBytes").asLong()
            + p1.get("newBytes").asLong() + 300_000);
        assertThat(err).contains("set-v2.torrent");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void withoutTheOldDataItSaysSoWritesTheTorrentAndComparesFileHashes() throws Exception {
        final Path elsewhere = tmp.resolve("elsewhere/set-next");
        XetEdits.copyTree(v2, elsewhere);
        final Path newTorrent = tmp.resolve("next.torrent");
        assertThat(ccbt("xet", "update", oldTorrent.toString(), elsewhere.toString(), "-o", newTorrent.toString()))
            .as(err).isZero();
        assertThat(out).contains("old data not found at " + tmp.resolve("elsewhere/set"))
            .contains("only the torrent was written")
            .containsPattern("(?m)^  unchanged\\s+set/data/part-2\\.bin\\s")
            .containsPattern("(?m)^  modified\\s+set/data/part-0\\.bin\\s")
            .containsPattern("(?m)^  added\\s+set/data/new\\.bin\\s")
            .containsPattern("(?m)^  removed\\s+set/README\\.txt")
            .doesNotContain("chunks shared");
        assertThat(Metainfo.parse(Files.readAllBytes(newTorrent)).name()).isEqualTo("set");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anOldTorrentWithoutXetHashesAndWithoutItsDataLeavesCommonFilesUnknown() throws Exception {
        final Path plain = tmp.resolve("plain-v1.torrent");
        assertThat(ccbt("create", v1.toString(), "-o", plain.toString())).as(err).isZero();
        final Path elsewhere = tmp.resolve("elsewhere/set-next");
        XetEdits.copyTree(v2, elsewhere);
        assertThat(ccbt("xet", "update", plain.toString(), elsewhere.toString(), "-o", tmp.resolve("n.torrent").toString(),
            "--json")).as(err).isZero();
        final JsonNode json = new ObjectMapper().readTree(out);
        assertThat(json.get("chunked").asBoolean()).isFalse();
        assertThat(json.get("oldData").isNull()).isTrue();
        final Map<String, JsonNode> files = byPath(json);
        assertThat(files.get("set/data/part-2.bin").get("status").asText()).isEqualTo("unknown");
        assertThat(files.get("set/data/part-0.bin").get("status").asText()).isEqualTo("unknown");
        assertThat(files.get("set/data/new.bin").get("status").asText()).isEqualTo("added");
        assertThat(files.get("set/README.txt").get("status").asText()).isEqualTo("removed");
        assertThat(err).contains("old data not found at " + tmp.resolve("elsewhere/set"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void oldDataGivenExplicitlyIsUsedAndItsMismatchWithTheOldTorrentIsReported() throws Exception {
        final Path moved = tmp.resolve("archive/v1");
        XetEdits.copyTree(v1, moved);
        XetEdits.overwrite(moved.resolve("data/part-2.bin"), 10, XetEdits.bytes(10, 3));
        final Path elsewhere = tmp.resolve("elsewhere/set");
        XetEdits.copyTree(v2, elsewhere);
        final Path newTorrent = tmp.resolve("next.torrent");
        assertThat(ccbt("xet", "update", oldTorrent.toString(), elsewhere.toString(), "-o", newTorrent.toString(),
            "--old-data", moved.toString())).as(err).isZero();
        assertThat(out).contains("(old data in " + moved + ")")
            .contains("old data of set/data/part-2.bin does not match " + oldTorrent)
            // compared as found: part-2 differs from the altered old copy in its first chunk only
            .containsPattern("(?m)^  modified\\s+set/data/part-2\\.bin\\s");
    }

    @Test
    void refusesMissingOldDataGivenExplicitlyAndWritesNothing() {
        final Path newTorrent = tmp.resolve("never.torrent");
        assertThat(ccbt("xet", "update", oldTorrent.toString(), v2.toString(), "-o", newTorrent.toString(),
            "--old-data", tmp.resolve("nope").toString())).isEqualTo(1);
        assertThat(err).contains("--old-data " + tmp.resolve("nope") + " does not exist");
        assertThat(newTorrent).doesNotExist();
    }

    @Test
    void refusesADirectoryForASingleFileTorrentAndABrokenOldTorrent() throws Exception {
        final Path single = tmp.resolve("one.bin");
        SampleDataset.writeFile(single, 40_000, 5);
        final Path singleTorrent = tmp.resolve("one.torrent");
        assertThat(ccbt("create", single.toString(), "--xet", "-o", singleTorrent.toString())).as(err).isZero();
        assertThat(ccbt("xet", "update", singleTorrent.toString(), v2.toString(), "-o", tmp.resolve("x.torrent").toString()))
            .isEqualTo(1);
        assertThat(err).contains(singleTorrent + " is a single-file torrent but " + v2 + " is a directory");

        final Path broken = tmp.resolve("broken.torrent");
        final byte[] raw = Files.readAllBytes(oldTorrent);
        Files.write(broken, java.util.Arrays.copyOf(raw, raw.length / 2));
        assertThat(ccbt("xet", "update", broken.toString(), v2.toString(), "-o", tmp.resolve("y.torrent").toString()))
            .isEqualTo(1);
        assertThat(err).contains(broken.toString());
        assertThat(tmp.resolve("y.torrent")).doesNotExist();

        assertThat(ccbt("xet", "update", tmp.resolve("absent.torrent").toString(), v2.toString(), "-o",
            tmp.resolve("z.torrent").toString())).isEqualTo(1);
        assertThat(err).contains("no such torrent: " + tmp.resolve("absent.torrent"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void keepsTrackerTiersOfSeveralUrlsAsOneTier() throws Exception {
        // OLD with announce-list [[a, b], [c]]: `ccbt create` makes one tier per URL, so the tiers are set by hand.
        final BDict root = Bencode.decodeDict(Files.readAllBytes(oldTorrent), BencodeLimits.DEFAULT);
        final BDict.Builder b = BDict.builder();
        root.entries().forEach(b::put);
        b.put("announce", "http://127.0.0.1:1/a");
        b.put("announce-list", new BList(List.<BValue>of(
            BList.of(BString.of("http://127.0.0.1:1/a"), BString.of("http://127.0.0.1:2/b")),
            BList.of(BString.of("http://127.0.0.1:3/c")))));
        final Path tiered = tmp.resolve("tiered.torrent");
        Files.write(tiered, Bencode.encode(b.build()));
        final Path newTorrent = tmp.resolve("tiered-v2.torrent");
        assertThat(ccbt("xet", "update", tiered.toString(), v2.toString(), "-o", newTorrent.toString())).as(err).isZero();
        assertThat(Metainfo.parse(Files.readAllBytes(newTorrent)).announceTiers()).isEqualTo(List.of(
            List.of("http://127.0.0.1:1/a", "http://127.0.0.1:2/b"), List.of("http://127.0.0.1:3/c")));
    }
}
