package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.telemetry.Metrics;
import ccbt.xet.XetChunkHasher;
import ccbt.xet.hash.XetHash;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A download with Xet chunking on: the ring's Xet stage gives each file the hash of chunking it whole. */
class XetChunkingTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void downloadedFilesGetTheirXetHashes() throws Exception {
        final Path content = tmp.resolve("seed");
        SampleDataset.write(content, SampleDataset.standardLayout("x", 6_000_000, 3), 31);
        final Metainfo meta = Swarm.torrentOf(content.resolve("x"), 64 * 1024);
        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            seeder.add(meta, content, null);
            final Metrics metrics = new Metrics();
            final EngineConfig config = EngineConfig.builder(tmp.resolve("state/xet"))
                .bind(InetAddress.getByName("127.0.0.1"), 0).xetChunking(true).build();
            try (Engine leecher = new Engine(config, metrics)) {
                leecher.listen();
                final Path out = tmp.resolve("out");
                final TorrentSession session = leecher.add(meta, out, null);
                session.addPeers(List.of(Swarm.addressOf(seeder)));
                session.completion().get(60, TimeUnit.SECONDS);

                final XetHash[] hashes = session.xetFileHashes();
                for (int i = 0; i < meta.files().size(); i++) {
                    final Path file = out.resolve(meta.files().get(i).relativePath());
                    assertThat(hashes[i]).as(file.toString()).isEqualTo(wholeFileHash(file));
                }
                assertThat(metrics.scrape()).contains("ccbt_xet_chunked_bytes_total " + meta.totalLength());
                final java.util.Set<XetHash> distinct = new java.util.HashSet<>();
                for (final var f : meta.files()) {
                    distinct.addAll(chunkHashes(out.resolve(f.relativePath())));
                }
                assertThat(metrics.scrape()).contains("ccbt_xet_index_chunks " + distinct.size() + "\n");

                // A second torrent that holds one of the same files: its chunks are indexed once, referenced twice.
                final Path big = out.resolve(meta.files().get(meta.files().size() - 1).relativePath());
                final Path content2 = tmp.resolve("seed-b/xb");
                Files.createDirectories(content2);
                Files.copy(big, content2.resolve("same.bin"));
                SampleDataset.writeFile(content2.resolve("other.bin"), 500_000, 77);
                final Metainfo meta2 = Swarm.torrentOf(content2, 64 * 1024);
                seeder.add(meta2, tmp.resolve("seed-b"), null);
                final TorrentSession second = leecher.add(meta2, tmp.resolve("out-b"), null);
                second.addPeers(List.of(Swarm.addressOf(seeder)));
                second.completion().get(60, TimeUnit.SECONDS);
                final java.util.Set<XetHash> all = new java.util.HashSet<>(distinct);
                all.addAll(chunkHashes(tmp.resolve("out-b/xb/other.bin")));
                assertThat(metrics.scrape()).contains("ccbt_xet_index_chunks " + all.size() + "\n")
                    .contains("ccbt_xet_shared_bytes_total " + Files.size(big));
            }
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void torrentsWithXetHashesAreChunkedAndChecked() throws Exception {
        final Path content = tmp.resolve("seed2");
        SampleDataset.write(content, SampleDataset.standardLayout("y", 3_000_000, 2), 32);
        final Metainfo meta = new ccbt.core.create.TorrentCreator(content.resolve("y")).pieceSize(32 * 1024)
            .fileExtras(file -> {
                try {
                    return java.util.Map.of(Metainfo.XET_HASH_KEY,
                        ccbt.core.bencode.BString.of(wholeFileHash(file).bytes()));
                } catch (final Exception e) {
                    throw new IllegalStateException(e);
                }
            }).createMetainfo();
        assertThat(meta.hasXetHashes()).isTrue();
        try (Swarm swarm = new Swarm(tmp.resolve("state2"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            seeder.add(meta, content, null);
            final Engine leecher = swarm.engine("127.0.0.1");
            final TorrentSession session = leecher.add(meta, tmp.resolve("out2"), null);
            session.addPeers(List.of(Swarm.addressOf(seeder)));
            session.completion().get(60, TimeUnit.SECONDS);
            final XetHash[] hashes = session.xetFileHashes();
            for (int i = 0; i < meta.files().size(); i++) {
                assertThat(hashes[i].bytes()).isEqualTo(meta.files().get(i).xetHash());
            }
            assertThat(leecher.metrics().scrape()).contains("ccbt_xet_file_hash_mismatches_total 0");
        }
    }

    private static java.util.List<XetHash> chunkHashes(final Path file) throws Exception {
        final java.util.List<XetHash> hashes = new java.util.ArrayList<>();
        final XetChunkHasher hasher = new XetChunkHasher((o, l, h) -> hashes.add(h));
        final byte[] all = Files.readAllBytes(file);
        hasher.update(all, 0, all.length);
        hasher.finish();
        return hashes;
    }

    private static XetHash wholeFileHash(final Path file) throws Exception {
        final XetChunkHasher hasher = new XetChunkHasher((o, l, h) -> { });
        final byte[] all = Files.readAllBytes(file);
        hasher.update(all, 0, all.length);
        hasher.finish();
        return hasher.fileHash();
    }
}
