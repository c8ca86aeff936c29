package ccbt.pipeline.session;

import ccbt.core.Bitfield;
import ccbt.core.InfoHash;
import ccbt.core.PeerId;
import ccbt.core.metainfo.FileEntry;
import ccbt.core.metainfo.Metainfo;
import ccbt.io.net.PeerNetwork;
import ccbt.io.net.Transport;
import ccbt.io.tracker.HttpTrackerClient;
import ccbt.io.tracker.TrackerClient;
import ccbt.io.tracker.UdpTrackerClient;
import ccbt.pipeline.rate.RateLimiter;
import ccbt.pipeline.xet.XetIndexGauges;
import ccbt.pipeline.xet.XetStores;
import ccbt.store.dedup.ChunkIndex;
import ccbt.pipeline.ring.PieceRing;
import ccbt.store.FileLayout;
import ccbt.store.PieceStore;
import ccbt.store.Preallocation;
import ccbt.store.Recheck;
import ccbt.store.ResumeData;
import ccbt.store.StoredFile;
import ccbt.telemetry.Counter;
import ccbt.telemetry.Metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The engine: one listener, one inbound ring, one disk executor and any number of torrents. Each torrent
 * runs on one of the network event loops; the ring's stage threads are shared.
 */
public final class Engine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());
    /** Chunks the dedup index is sized for when it is first created (≈ 256 GiB of 64 KiB chunks). */
    private static final long CHUNK_INDEX_ENTRIES = 4_000_000;

    private final EngineConfig config;
    private final PeerId peerId = PeerId.generate();
    private final Metrics metrics;
    private final PieceRing ring;
    private final PeerNetwork network;
    private final ExecutorService disk;
    private final Map<InfoHash, TorrentSession> torrents = new ConcurrentHashMap<>();
    private final Counter downloaded;
    private final Counter uploaded;
    private final Counter uploadedFromFiles;
    private final Counter piecesVerified;
    private final RateLimiter downloadLimit;
    private final RateLimiter uploadLimit;
    private TrackerClient trackers;
    private ChunkIndex chunkIndex;
    private XetStores xetStores;
    private volatile int listenPort;

    /** Starts the stage threads and the network; call {@link #listen()} to accept peers. */
    public Engine(final EngineConfig config, final Metrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.downloadLimit = new RateLimiter(config.downloadRateLimit(), System::nanoTime);
        this.uploadLimit = new RateLimiter(config.uploadRateLimit(), System::nanoTime);
        this.ring = new PieceRing(4096, Math.max(1, config.hashThreads()),
            config.directWrites() ? PieceRing.DISK_WRITERS_DIRECT : PieceRing.DISK_WRITERS_BUFFERED, metrics);
        this.network = new PeerNetwork(transportOf(config.transport()), config.ioThreads());
        this.disk = Executors.newFixedThreadPool(2, r -> {
            final Thread t = new Thread(r, "ccbt-disk");
            t.setDaemon(true);
            return t;
        });
        this.downloaded = metrics.counter("ccbt_downloaded_bytes_total", "Payload bytes received from peers");
        this.uploaded = metrics.counter("ccbt_uploaded_bytes_total", "Payload bytes sent to peers");
        this.uploadedFromFiles = metrics.counter("ccbt_uploaded_file_region_bytes_total",
            "Payload bytes sent to peers straight from the files (file regions: sendfile on epoll and NIO)");
        this.piecesVerified = metrics.counter("ccbt_pieces_verified_total", "Pieces verified and written");
        metrics.gauge("ccbt_torrents", "Torrents in the engine", () -> torrents.size());
        metrics.gauge("ccbt_peers", "Connected peers", () -> torrents.values().stream()
            .mapToInt(t -> t.stats().peers()).sum());
    }

    private static Transport transportOf(final String name) {
        try {
            return Transport.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown transport '" + name + "': use auto, io_uring, epoll or nio");
        }
    }

    /** Opens the listening socket on the configured address; returns the bound port. */
    public int listen() {
        final InetSocketAddress bind = config.bindAddress() == null
            ? new InetSocketAddress(config.port()) : new InetSocketAddress(config.bindAddress(), config.port());
        listenPort = network.listen(bind, hash -> {
            final TorrentSession t = torrents.get(hash);
            return t == null || t.state() == TorrentSession.State.STOPPED ? null : t;
        });
        LOG.log(System.Logger.Level.INFO, "listening on " + bind.getAddress().getHostAddress() + ":" + listenPort);
        return listenPort;
    }

    /**
     * Adds a torrent whose content lives (or will live) under {@code dir}. Existing data is trusted only
     * through resume data whose files are unchanged, otherwise it is hash-checked first.
     *
     * @param progress receives the number of bytes checked so far during a recheck; may be null
     */
    public TorrentSession add(final Metainfo meta, final Path dir, final LongConsumer progress) {
        final InfoHash hash = meta.infoHashV1();
        if (torrents.containsKey(hash)) {
            throw new IllegalArgumentException("torrent " + hash + " is already added");
        }
        final FileLayout layout = layoutOf(meta);
        final Bitfield verified = initialBitfield(meta, layout, dir, progress);
        final PieceStore store = PieceStore.open(dir, layout,
            config.fullPreallocation() ? Preallocation.FULL : Preallocation.SPARSE, PieceStore.DEFAULT_MAX_OPEN_FILES,
            config.directWrites());
        final TorrentSession session = new TorrentSession(this, meta, layout, store, verified, network.nextLoop());
        torrents.put(hash, session);
        if (verified.cardinality() > 0) {
            saveResume(session, verified.copy());
        }
        session.start();
        return session;
    }

    /** The storage layout of a torrent's files. */
    public static FileLayout layoutOf(final Metainfo meta) {
        final List<StoredFile> files = new ArrayList<>();
        for (final FileEntry f : meta.files()) {
            files.add(new StoredFile(f.relativePath(), f.length(), f.padFile()));
        }
        return new FileLayout(files, meta.pieceLength());
    }

    /**
     * The pieces that can be trusted without downloading them again: those of unchanged files in valid resume
     * data, plus whatever a hash check finds. Without resume data, existing files are checked in full.
     */
    private Bitfield initialBitfield(final Metainfo meta, final FileLayout layout, final Path dir,
                                     final LongConsumer progress) {
        final Bitfield verified = new Bitfield(meta.pieceCount());
        if (!anyFileExists(layout, dir)) {
            return verified;
        }
        final Path resumeFile = resumeFile(meta.infoHashV1());
        final ResumeData resume = ResumeData.load(resumeFile);
        final Bitfield toCheck = new Bitfield(meta.pieceCount());
        if (resume != null && java.util.Arrays.equals(resume.infoHash(), meta.infoHashV1().bytes())
            && resume.matches(layout)) {
            final Bitfield trusted = resume.trustedPieces(layout, dir);
            final Bitfield saved = resume.bitfield();
            for (int i = saved.nextSetBit(0); i >= 0; i = saved.nextSetBit(i + 1)) {
                if (trusted.get(i)) {
                    verified.set(i);
                } else {
                    toCheck.set(i);
                }
            }
        } else {
            if (resume != null) {
                LOG.log(System.Logger.Level.WARNING, "resume data " + resumeFile + " does not match "
                    + meta.name() + "; checking the files");
            }
            toCheck.setAll();
        }
        if (toCheck.cardinality() > 0) {
            final Bitfield checked = Recheck.check(dir, layout, meta.pieceHashes(), toCheck,
                Math.max(1, config.hashThreads()), progress == null ? n -> { } : progress);
            for (int i = checked.nextSetBit(0); i >= 0; i = checked.nextSetBit(i + 1)) {
                verified.set(i);
            }
        }
        return verified;
    }

    private static boolean anyFileExists(final FileLayout layout, final Path dir) {
        for (int i = 0; i < layout.fileCount(); i++) {
            if (!layout.file(i).padFile() && Files.exists(dir.resolve(layout.file(i).relativePath()))) {
                return true;
            }
        }
        return false;
    }

    Path resumeFile(final InfoHash hash) {
        return config.stateDir().resolve("resume").resolve(hash.hex() + ".resume");
    }

    /** Writes a torrent's resume data; the pieces in {@code verified} must already be on disk. */
    void saveResume(final TorrentSession session, final Bitfield verified) {
        try {
            session.store.force();
            final Path file = resumeFile(session.meta.infoHashV1());
            Files.createDirectories(file.getParent());
            ResumeData.of(session.meta.infoHashV1().bytes(), verified, session.meta.pieceCount(), session.layout,
                session.store.root()).save(file);
        } catch (final IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot save resume data for " + session.meta.name() + ": " + e);
        }
    }

    void torrentCompleted(final TorrentSession session) {
        LOG.log(System.Logger.Level.INFO, session.meta.name() + ": download complete");
    }

    /**
     * Stops a torrent and removes it from the engine; its resume data is flushed. Its chunk lists are deleted
     * and its references in the dedup index released (see {@link #releaseXet}).
     */
    public void remove(final TorrentSession session) {
        stop(session);
        releaseXet(session);
    }

    /** Stops a torrent and takes it out of the engine, leaving its Xet state for the next run. */
    private void stop(final TorrentSession session) {
        torrents.remove(session.meta.infoHashV1());
        session.stop().join();
        session.awaitQuiet();
        saveResume(session, session.have.copy());
        session.store.close();
    }

    /**
     * Drops a removed torrent's dedup-index references: one per distinct chunk of its stored lists (what it
     * took when they were stored). A chunk other torrents still reference but whose recorded location is in
     * the removed torrent's files is re-pointed to a live torrent that holds it, or dropped from the index
     * when none does (its bytes may be deleted with the torrent). Then the stored lists are deleted.
     */
    private void releaseXet(final TorrentSession session) {
        final ccbt.pipeline.xet.ChunkCatalog catalog = session.catalog;
        if (catalog == null) {
            return;
        }
        final ChunkIndex index = chunkIndex();
        final java.util.Set<Integer> ours = new java.util.HashSet<>();
        for (int f = 0; f < session.layout.fileCount(); f++) {
            if (catalog.list(f) != null) {
                ours.add(session.xetStoreId(f));
            }
        }
        final long now = System.currentTimeMillis();
        for (final ccbt.xet.hash.XetHash hash : catalog.hashes()) {
            final byte[] key = hash.bytes();
            final int left = index.release(key);
            if (left == 0) {
                continue;
            }
            final ccbt.store.dedup.ChunkLocation at = index.get(key);
            if (at == null || !ours.contains(at.storeId())) {
                continue;
            }
            for (int i = 0; i < left; i++) {
                index.release(key); // the last release removes the entry
            }
            for (final TorrentSession other : torrents.values()) {
                final ccbt.pipeline.xet.ChunkCatalog.Location there =
                    other.catalog == null ? null : other.catalog.find(hash);
                if (there != null) {
                    index.addOrReference(key, other.xetStoreId(there.file()), there.offset(), there.length(), now);
                    for (int i = 1; i < left; i++) {
                        index.reference(key, now);
                    }
                    break;
                }
            }
        }
        catalog.delete();
    }

    /** Where the chunk lists of torrent {@code hash} are kept. */
    Path xetListDir(final InfoHash hash) {
        return config.stateDir().resolve("xet").resolve("lists").resolve(hash.hex());
    }

    /** The torrents now in the engine. */
    public List<TorrentSession> torrents() {
        return List.copyOf(torrents.values());
    }

    /** Stops every torrent in order (no lost writes, resume data flushed), then the ring and network. */
    @Override
    public void close() {
        for (final TorrentSession t : torrents()) {
            stop(t); // not remove(): the torrents come back with the next run, and so do their references
        }
        ring.close();
        network.close();
        synchronized (this) {
            if (trackers != null) {
                trackers.close();
            }
            if (chunkIndex != null) {
                chunkIndex.close();
            }
        }
        disk.shutdown();
        try {
            disk.awaitTermination(10, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- for sessions

    EngineConfig config() {
        return config;
    }

    PeerId peerId() {
        return peerId;
    }

    int listenPort() {
        return listenPort;
    }

    PeerNetwork network() {
        return network;
    }

    /** The tracker client, opened on first use (on the bind address, so tests stay on loopback). */
    synchronized TrackerClient trackers() {
        if (trackers == null) {
            try {
                final InetSocketAddress local = new InetSocketAddress(config.bindAddress(), 0);
                trackers = new TrackerClient(new HttpTrackerClient(),
                    UdpTrackerClient.open(UdpTrackerClient.Config.bep15(), local));
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot open the UDP tracker socket", e);
            }
        }
        return trackers;
    }

    /** The persistent chunk-dedup index, opened on first use under the state directory. */
    synchronized ChunkIndex chunkIndex() {
        if (chunkIndex == null) {
            final Path dir = config.stateDir().resolve("xet");
            xetStores = XetStores.open(dir.resolve("stores.tsv"));
            chunkIndex = ChunkIndex.open(dir.resolve("chunks.cmap"), CHUNK_INDEX_ENTRIES);
            XetIndexGauges.register(chunkIndex, metrics);
        }
        return chunkIndex;
    }

    /** The numbering of the files chunks live in; opened with {@link #chunkIndex()}. */
    synchronized XetStores xetStores() {
        chunkIndex();
        return xetStores;
    }

    RateLimiter uploadLimit() {
        return uploadLimit;
    }

    RateLimiter downloadLimit() {
        return downloadLimit;
    }

    PieceRing ring() {
        return ring;
    }

    ExecutorService diskExecutor() {
        return disk;
    }

    /**
     * Whether blocks are uploaded straight from the files. With epoll and NIO that is sendfile and saves CPU;
     * Netty's io_uring transport sends file regions far slower than buffers (512 MiB to libtorrent: 5.4 s of
     * CPU against 2.0 s), so on io_uring blocks are read into buffers.
     */
    boolean zeroCopyUploads() {
        return network.transport() != Transport.IO_URING;
    }

    /** The transport the network actually uses (io_uring, epoll or NIO). */
    public String transport() {
        return network.transport().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The engine's metrics registry. */
    public Metrics metrics() {
        return metrics;
    }

    Counter downloadedBytes() {
        return downloaded;
    }

    Counter uploadedBytes() {
        return uploaded;
    }

    Counter uploadedFromFiles() {
        return uploadedFromFiles;
    }

    Counter piecesVerified() {
        return piecesVerified;
    }
}
