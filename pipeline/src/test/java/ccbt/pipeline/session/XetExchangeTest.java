package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.create.TorrentCreator;
import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.peers.ByteCountingRelay;
import ccbt.store.dedup.ChunkLocation;
import ccbt.xet.XetChunkHasher;
import ccbt.xet.format.ChunkList;
import ccbt.xet.hash.XetHash;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ut_xet between two engines over loopback: chunk lists and chunks are exchanged, and a leecher that already
 * holds a torrent sharing most bytes with the one it downloads copies the shared chunks from disk instead of
 * downloading them. Bytes are counted by a TCP relay between the peers, not by ccbt.
 */
class XetExchangeTest {
    private static final int FILES = 4;
    private static final int FILE_LENGTH = 4 << 20;
    /** One edit region per file: 20 % of it. */
    private static final int EDIT_LENGTH = FILE_LENGTH / 5;
    private static final int MAX_CHUNK = 128 * 1024;

    @TempDir
    Path tmp;

    /** Writes torrent A's files, and B's: A's with one region of each file replaced by other bytes. */
    private void writeSets(final Path a, final Path b) throws Exception {
        final Random random = new Random(42);
        Files.createDirectories(a);
        Files.createDirectories(b);
        for (int f = 0; f < FILES; f++) {
            final byte[] content = new byte[FILE_LENGTH];
            random.nextBytes(content);
            Files.write(a.resolve("f" + f + ".bin"), content);
            final byte[] edit = new byte[EDIT_LENGTH];
            random.nextBytes(edit);
            System.arraycopy(edit, 0, content, 1_000_000 + f * 100_000, EDIT_LENGTH);
            Files.write(b.resolve("f" + f + ".bin"), content);
        }
    }

    static Metainfo xetTorrent(final Path content, final int pieceSize) throws Exception {
        return xetTorrent(content, pieceSize, false);
    }

    static Metainfo xetTorrent(final Path content, final int pieceSize, final boolean padFiles) throws Exception {
        return new TorrentCreator(content).pieceSize(pieceSize).padFiles(padFiles).fileExtras(file -> {
            try {
                return Map.of(Metainfo.XET_HASH_KEY, ccbt.core.bencode.BString.of(listOf(file).fileHash().bytes()));
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        }).createMetainfo();
    }

    static ChunkList listOf(final Path file) throws Exception {
        final XetChunkHasher hasher = new XetChunkHasher(null);
        final byte[] all = Files.readAllBytes(file);
        hasher.update(all, 0, all.length);
        hasher.finish();
        return ChunkList.of(hasher.chunks());
    }

    static void await(final BooleanSupplier condition, final String what) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void chunksSpanningManySmallPiecesAndPadFilesFillEveryPiece() throws Exception {
        final Path content = tmp.resolve("seed");
        SampleDataset.write(content, SampleDataset.standardLayout("p", 2_500_000, 2), 8);
        final Metainfo meta = xetTorrent(content.resolve("p"), 16 * 1024, true);
        assertThat(meta.files()).anyMatch(f -> f.padFile());
        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final TorrentSession download = downloadThroughXet(swarm, swarm.engine("127.0.0.1"), meta, content);
            assertThat(download.engine.metrics().counter("ccbt_pieces_verified_total", "").get()).isEqualTo(meta.pieceCount());
            // every file came whole from its chunk list, which then stood for its chunking (no read-back)
            final ccbt.xet.format.ChunkList[] lists = download.xetFetch.listsOfFilledFiles();
            final XetHash[] fileHashes = download.xetFileHashes();
            for (int f = 0; f < meta.files().size(); f++) {
                if (!meta.files().get(f).padFile()) {
                    assertThat(lists[f] != null || meta.files().get(f).length() == 0).as("file %d's list", f).isTrue();
                    assertThat(fileHashes[f].matches(meta.files().get(f).xetHash(), 0)).as("file %d's Xet hash", f).isTrue();
                }
            }
            // every received chunk's buffer came back once its disk work was done, to be reused
            final int made = download.xetFetch.chunkBuffersMade();
            assertThat(made).isPositive();
            assertThat(download.xetFetch.spareChunkBuffers()).isEqualTo(Math.min(made, XetFetch.MAX_SPARE_CHUNK_BUFFERS));
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void chunksASeederAnswersBusyAreAskedAgainUntilTheyCome() throws Exception {
        final Path content = tmp.resolve("seed");
        SampleDataset.write(content, SampleDataset.standardLayout("p", 3_000_000, 1), 9);
        final Metainfo meta = xetTorrent(content.resolve("p"), 64 * 1024);
        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            // a seeder held to 1 MiB/s answers "busy" to what its rate limit cannot send yet
            final TorrentSession download = downloadThroughXet(swarm,
                swarm.engine("127.0.0.1", c -> c.uploadRateLimit(1 << 20)), meta, content);
            assertThat(download.engine.metrics().counter("ccbt_xet_busy_replies_total", "").get()).isPositive();
        }
    }

    /**
     * {@code seeder} seeds {@code content} (the torrent's directory "p" in it), a new engine downloads it into "out"
     * and gets every byte of it through {@code ut_xet}.
     */
    private TorrentSession downloadThroughXet(final Swarm swarm, final Engine seeder, final Metainfo meta,
                                              final Path content) throws Exception {
        final TorrentSession seed = seeder.add(meta, content, null);
        await(seed::xetListsComplete, "the seeder chunked its files");
        final Engine leecher = swarm.engine("127.0.0.1");
        final TorrentSession download = leecher.add(meta, tmp.resolve("out"), null);
        download.addPeers(List.of(Swarm.addressOf(seeder)));
        download.completion().get(60, TimeUnit.SECONDS);
        assertThat(SampleDataset.sha256Tree(tmp.resolve("out/p"))).isEqualTo(SampleDataset.sha256Tree(content.resolve("p")));
        final long real = meta.files().stream().filter(f -> !f.padFile()).mapToLong(f -> f.length()).sum();
        assertThat(leecher.metrics().counter("ccbt_xet_fetched_bytes_total", "").get()).isEqualTo(real);
        return download;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aLeecherHoldingASimilarTorrentDownloadsOnlyWhatItLacks() throws Exception {
        final Path a = tmp.resolve("a/set");
        final Path b = tmp.resolve("b/set");
        writeSets(a, b);
        final Metainfo metaA = xetTorrent(a, 64 * 1024);
        final Metainfo metaB = xetTorrent(b, 64 * 1024);
        assertThat(metaA.hasXetHashes()).isTrue();

        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            final TorrentSession seedB = seeder.add(metaB, tmp.resolve("b"), null);
            final Engine leecher = swarm.engine("127.0.0.1");
            final TorrentSession holdA = leecher.add(metaA, tmp.resolve("a"), null);
            await(seedB::xetListsComplete, "the seeder chunked B");
            await(holdA::xetListsComplete, "the leecher chunked A");

            try (ByteCountingRelay relay = ByteCountingRelay.start(Swarm.addressOf(seeder))) {
                final TorrentSession getB = leecher.add(metaB, tmp.resolve("out"), null);
                getB.addPeers(List.of(relay.address()));
                getB.completion().get(90, TimeUnit.SECONDS);

                assertThat(SampleDataset.sha256Tree(tmp.resolve("out"))).isEqualTo(SampleDataset.sha256Tree(tmp.resolve("b")));
                long lists = 0;
                final Set<XetHash> inA = new HashSet<>();
                final Set<XetHash> inB = new HashSet<>();
                for (int f = 0; f < FILES; f++) {
                    final ChunkList la = listOf(a.resolve("f" + f + ".bin"));
                    final ChunkList lb = listOf(b.resolve("f" + f + ".bin"));
                    lists += lb.serialize().length;
                    for (int i = 0; i < la.size(); i++) {
                        inA.add(la.hash(i));
                    }
                    for (int i = 0; i < lb.size(); i++) {
                        inB.add(lb.hash(i));
                    }
                }
                final long total = (long) FILES * FILE_LENGTH;
                final long bound = (long) FILES * EDIT_LENGTH + FILES * 2L * MAX_CHUNK + lists + total / 50;
                System.out.printf("xet exchange: received %d bytes (bound %d, unshared %d), copied locally %d%n",
                    relay.bytesFromTarget(), bound, (long) FILES * EDIT_LENGTH,
                    leecher.metrics().counter("ccbt_xet_local_bytes_total", "").get());
                assertThat(relay.bytesFromTarget()).as("bytes the leecher received").isLessThanOrEqualTo(bound)
                    .isGreaterThanOrEqualTo((long) FILES * EDIT_LENGTH);
                assertThat(leecher.metrics().counter("ccbt_xet_local_bytes_total", "").get())
                    .as("bytes copied from A").isGreaterThanOrEqualTo(total - bound);
                assertThat(seeder.metrics().counter("ccbt_xet_chunks_served_total", "").get()).isPositive();

                // Shared chunks are indexed once, referenced by both torrents; B's own chunks once.
                final Set<XetHash> shared = new HashSet<>(inB);
                shared.retainAll(inA);
                assertThat(shared.size()).isGreaterThan(inB.size() / 2);
                for (final XetHash h : inB) {
                    final ChunkLocation at = leecher.chunkIndex().get(h.bytes());
                    assertThat(at).as("chunk " + h).isNotNull();
                    assertThat(at.refCount()).as("references to " + h).isEqualTo(shared.contains(h) ? 2 : 1);
                }

                // Removing A releases its references; the shared chunks now live in B's files.
                final int storeOfA = holdA.xetStoreId(0);
                leecher.remove(holdA);
                for (final XetHash h : shared) {
                    final ChunkLocation at = leecher.chunkIndex().get(h.bytes());
                    assertThat(at.refCount()).isEqualTo(1);
                    assertThat(at.storeId()).isNotEqualTo(storeOfA);
                }
                for (final XetHash h : inA) {
                    if (!inB.contains(h)) {
                        assertThat(leecher.chunkIndex().get(h.bytes())).isNull();
                    }
                }
            }
        }
    }
}
