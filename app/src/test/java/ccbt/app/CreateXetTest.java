package ccbt.app;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.bencode.BDict;
import ccbt.core.bencode.BList;
import ccbt.core.bencode.Bencode;
import ccbt.core.bencode.BencodeLimits;
import ccbt.core.metainfo.FileEntry;
import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.xet.hash.XetHash;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ccbt create --xet}: each file's Xet hash in the torrent, the same as {@code ccbt xet hash FILE}. */
class CreateXetTest extends CommandLineTest {
    /** What {@code ccbt xet hash FILE} prints for the file: its xet-core hex file hash. */
    private String xetHashCommand(final Path file) {
        assertThat(ccbt("xet", "hash", file.toString())).as(err).isZero();
        return out.substring(0, out.indexOf("  "));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void multiFileTorrentCarriesTheXetHashOfEveryFile() throws Exception {
        SampleDataset.write(tmp.resolve("c"), SampleDataset.standardLayout("set", 1_500_000, 2), 11);
        final Path torrent = tmp.resolve("set.torrent");
        assertThat(ccbt("create", tmp.resolve("c/set").toString(), "--xet", "--piece-size", "32KiB",
            "-o", torrent.toString())).as(err).isZero();
        assertThat(out).contains("with Xet file hashes");

        final Metainfo meta = Metainfo.parse(Files.readAllBytes(torrent));
        assertThat(meta.hasXetHashes()).isTrue();
        final List<FileEntry> files = meta.files();
        assertThat(files).hasSizeGreaterThan(2);
        for (final FileEntry f : files) {
            final Path onDisk = tmp.resolve("c").resolve(f.relativePath());
            final String expected = xetHashCommand(onDisk);
            assertThat(XetHash.of(f.xetHash()).hex()).as(f.relativePath()).isEqualTo(expected);
        }

        assertThat(ccbt("info", torrent.toString())).as(err).isZero();
        assertThat(out).contains("xet:          file hashes for " + files.size() + " of " + files.size() + " files");
        final FileEntry first = files.getFirst();
        assertThat(out).contains(XetHash.of(first.xetHash()).hex() + "  " + first.relativePath());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void singleFileTorrentCarriesTheXetHashInInfo() throws Exception {
        final Path file = tmp.resolve("one.bin");
        SampleDataset.writeFile(file, 700_000, 3);
        final Path torrent = tmp.resolve("one.torrent");
        assertThat(ccbt("create", file.toString(), "--xet", "-o", torrent.toString())).as(err).isZero();
        final byte[] raw = Files.readAllBytes(torrent);
        final BDict info = Bencode.decodeDict(raw, BencodeLimits.DEFAULT).dict("info");
        assertThat(info.bytes(Metainfo.XET_HASH_KEY).length()).isEqualTo(32);
        final FileEntry f = Metainfo.parse(raw).files().getFirst();
        assertThat(XetHash.of(f.xetHash()).hex()).isEqualTo(xetHashCommand(file));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void withoutXetTheTorrentHasNoXetHashes() throws Exception {
        final Path file = tmp.resolve("plain.bin");
        SampleDataset.writeFile(file, 50_000, 4);
        final Path torrent = tmp.resolve("plain.torrent");
        assertThat(ccbt("create", file.toString(), "-o", torrent.toString())).as(err).isZero();
        assertThat(Metainfo.parse(Files.readAllBytes(torrent)).files().getFirst().hasXetHash()).isFalse();
        assertThat(ccbt("info", torrent.toString())).isZero();
        assertThat(out).doesNotContain("xet:");
    }

    @Test
    void aTorrentWithAWrongLengthXetHashIsRefused() throws Exception {
        final Path file = tmp.resolve("d/a.bin");
        Files.createDirectories(file.getParent());
        SampleDataset.writeFile(file, 40_000, 5);
        final Path good = tmp.resolve("good.torrent");
        assertThat(ccbt("create", tmp.resolve("d").toString(), "--xet", "-o", good.toString())).as(err).isZero();
        // Cut the hash of the only file to 31 bytes, the rest unchanged.
        final BDict root = Bencode.decodeDict(Files.readAllBytes(good), BencodeLimits.DEFAULT);
        final BDict info = root.dict("info");
        final BDict entry = (BDict) info.list("files").get(0);
        final byte[] shortHash = Arrays.copyOf(entry.bytes(Metainfo.XET_HASH_KEY).bytes(), 31);
        final BDict badEntry = BDict.builder().put("length", entry.integer("length")).put("path", entry.list("path"))
            .put(Metainfo.XET_HASH_KEY, shortHash).build();
        final BDict badInfo = BDict.builder().put("name", info.string("name")).put("piece length", info.integer("piece length"))
            .put("pieces", info.bytes("pieces").bytes()).put("files", new BList(List.of(badEntry))).build();
        final Path bad = tmp.resolve("bad.torrent");
        Files.write(bad, Bencode.encode(BDict.builder().put("info", badInfo).build()));
        assertThat(ccbt("info", bad.toString())).isEqualTo(1);
        assertThat(err).contains("info.files[0].xet hash of 'd/a.bin' is 31 bytes, expected 32");
    }
}
