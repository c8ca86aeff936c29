package ccbt.pipeline.session;

import ccbt.core.Bitfield;
import ccbt.core.metainfo.Metainfo;
import ccbt.core.InfoHash;
import ccbt.core.hash.Sha1;
import ccbt.core.PeerId;
import ccbt.io.net.PeerEndpoint;
import ccbt.io.wire.PeerConnection;
import ccbt.io.wire.PeerHandler;
import ccbt.pipeline.choke.ChokeRound;
import ccbt.pipeline.picker.HashFailureTracker;
import ccbt.pipeline.picker.PiecePicker;
import ccbt.pipeline.ring.PieceOutcome;
import ccbt.pipeline.ring.PieceTarget;
import ccbt.pipeline.staging.StagingPool;
import ccbt.pipeline.xet.ChunkCatalog;
import ccbt.pipeline.xet.TorrentChunker;
import ccbt.xet.hash.XetHash;
import ccbt.store.FileLayout;
import ccbt.store.PieceStore;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One torrent inside the engine: its peers, picker, staging slots and the bookkeeping that joins them.
 * All state is confined to the torrent's event loop; the ring's stage threads report back through
 * {@link #pieceDone}, which hops onto that loop.
 */
public final class TorrentSession implements PeerEndpoint, PieceTarget {
    /** The wire's block size (BEP 3 convention; the largest request most clients accept). */
    public static final int BLOCK = 16 * 1024;
    /** Requests larger than this are refused: BEP 3 clients request 16 KiB, some up to 128 KiB. */
    static final int MAX_REQUEST = 128 * 1024;
    private static final System.Logger LOG = System.getLogger(TorrentSession.class.getName());

    /** The life of a torrent, as the CLI and metrics show it. */
    public enum State { CHECKING, DOWNLOADING, SEEDING, STOPPED, ERROR }

    final Engine engine;
    final Metainfo meta;
    final FileLayout layout;
    final PieceStore store;
    final EventLoop loop;
    final int pieceCount;
    final Bitfield have;
    final PiecePicker picker;
    final HashFailureTracker failures;
    final SplittableRandom random;
    private final InfoHash infoHash;
    private final byte[] pieceHashes;

    private StagingPool staging;
    private int[] slotOfPiece;
    private int[] blocksDone;
    private List<List<PeerSession>> contributorsBySlot;

    final List<PeerSession> peers = new ArrayList<>();
    private final Set<InetSocketAddress> candidates = new LinkedHashSet<>();
    private final Map<InetSocketAddress, Long> retryAfterNanos = new HashMap<>();
    private final Set<InetSocketAddress> connecting = new HashSet<>();
    private final Set<InetAddress> banned = new HashSet<>();
    private final ChokeRound chokeRound = new ChokeRound();
    private final org.agrona.collections.IntHashSet unchoke = new org.agrona.collections.IntHashSet();
    private final TrackerAnnouncer announcer;
    /**
     * Blocks within one file are uploaded with sendfile where that is faster (see {@link Engine#zeroCopyUploads});
     * {@code -Dccbt.upload.zeroCopy=false} reads them into buffers everywhere.
     */
    private static final boolean ZERO_COPY_UPLOAD =
        Boolean.parseBoolean(System.getProperty("ccbt.upload.zeroCopy", "true"));
    private java.nio.channels.FileChannel[] readChannels;
    /** Xet chunking of the download, or null; owned by the Xet-chunk stage until the download completes. */
    private final TorrentChunker chunker;
    private final XetHash[] xetFileHashes;
    /** The torrent's chunk lists, served over ut_xet; null unless Xet is on for it (metadata or engine chunking). */
    final ChunkCatalog catalog;
    /** The Xet phase of the download, or null (no Xet metadata, or nothing missing). */
    final XetFetch xetFetch;
    private ScheduledFuture<?> ticker;
    private int tickCount;
    private boolean resumeDirty;
    private long lastResumeSaveNanos;

    private volatile State state = State.CHECKING;
    private volatile String error;
    private volatile long verifiedBytes;
    private volatile long downloadedPayload;
    private volatile long uploadedPayload;
    private volatile long wastedBytes;
    private volatile int peerCount;
    private volatile double downloadRate;
    private volatile double uploadRate;
    private long lastDownloaded;
    private long lastUploaded;
    private long lastRateNanos;
    private final CompletableFuture<Void> completion = new CompletableFuture<>();
    private final CompletableFuture<Void> downloaded = new CompletableFuture<>();
    private volatile java.util.function.IntConsumer pieceListener;
    private final java.util.concurrent.atomic.AtomicInteger inRing = new java.util.concurrent.atomic.AtomicInteger();
    /** Bytes written between two write-behind flushes (see {@link #writeBehind}). */
    static final long WRITE_BEHIND_BYTES = 32L << 20;
    /** Written by the disk-write stage only. */
    private long unflushedBytes;
    private final java.util.concurrent.atomic.AtomicBoolean flushPending = new java.util.concurrent.atomic.AtomicBoolean();

    TorrentSession(final Engine engine, final Metainfo meta, final FileLayout layout, final PieceStore store,
                   final Bitfield verified, final EventLoop loop) {
        this.engine = engine;
        this.meta = meta;
        this.layout = layout;
        this.store = store;
        this.loop = loop;
        this.pieceCount = meta.pieceCount();
        this.infoHash = meta.infoHashV1();
        this.pieceHashes = meta.pieceHashes();
        this.have = verified;
        this.random = new SplittableRandom();
        final int blocksPerPiece = blockCount(layout.pieceLength(0));
        final int blocksInLast = blockCount(layout.pieceLength(pieceCount - 1));
        this.picker = new PiecePicker(pieceCount, blocksPerPiece, blocksInLast, new java.util.Random());
        this.failures = new HashFailureTracker(engine.config().hashFailuresToBan());
        picker.setSequential(engine.config().sequential());
        long bytes = 0;
        for (int i = have.nextSetBit(0); i >= 0; i = have.nextSetBit(i + 1)) {
            picker.weHave(i);
            bytes += layout.pieceLength(i);
        }
        this.verifiedBytes = bytes;
        this.announcer = new TrackerAnnouncer(this, engine::trackers);
        this.xetFileHashes = new XetHash[layout.fileCount()];
        final boolean xet = engine.config().xetChunking() || meta.hasXetHashes();
        if (xet) {
            engine.chunkIndex(); // opened here, on the caller's thread: the first open is slow, never on the event loop
        }
        this.catalog = xet ? ChunkCatalog.open(engine.xetListDir(infoHash), layout, expectedXetHashes(meta)) : null;
        this.chunker = xet && !have.isComplete() ? new TorrentChunker(layout, store, xetSink()) : null;
        this.xetFetch = meta.hasXetHashes() && !have.isComplete() ? new XetFetch(this) : null;
        if (chunker != null) {
            // Pieces verified in an earlier run are on disk: the chunker reads them when their turn comes.
            for (int i = have.nextSetBit(0); i >= 0; i = have.nextSetBit(i + 1)) {
                chunker.pieceWritten(i);
            }
        }
        this.state = have.isComplete() ? State.SEEDING : State.DOWNLOADING;
        if (state == State.SEEDING) {
            completion.complete(null);
        }
    }

    private static XetHash[] expectedXetHashes(final Metainfo meta) {
        final XetHash[] out = new XetHash[meta.files().size()];
        for (int f = 0; f < out.length; f++) {
            final byte[] h = meta.files().get(f).xetHash();
            out[f] = h == null ? null : XetHash.of(h);
        }
        return out;
    }

    static int blockCount(final int pieceLength) {
        return (pieceLength + BLOCK - 1) / BLOCK;
    }

    int blockLength(final int piece, final int block) {
        return Math.min(BLOCK, layout.pieceLength(piece) - block * BLOCK);
    }

    // ---------------------------------------------------------------- life cycle

    void start() {
        loop.execute(() -> {
            lastRateNanos = System.nanoTime();
            lastResumeSaveNanos = lastRateNanos;
            ticker = loop.scheduleAtFixedRate(this::tick, 250, 250, TimeUnit.MILLISECONDS);
            announcer.start();
            connectMore();
        });
        if (catalog != null && chunker == null && !catalog.isComplete()) {
            chunkFromDisk();
        }
    }

    /**
     * A complete torrent without stored chunk lists is chunked from disk once, on its own thread (it reads
     * every byte), so that it can serve them; the lists are stored and the chunks indexed as they finish.
     */
    private void chunkFromDisk() {
        inRing.incrementAndGet();
        Thread.ofPlatform().daemon().name("ccbt-xet-chunk-" + infoHash.hex().substring(0, 8)).start(() -> {
            try {
                final TorrentChunker fromDisk = new TorrentChunker(layout, store, xetSink());
                for (int p = 0; p < pieceCount; p++) {
                    fromDisk.pieceWritten(p);
                }
                fromDisk.finish();
            } catch (final RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, meta.name() + ": cannot chunk from disk for ut_xet: " + e);
            } finally {
                inRing.decrementAndGet();
            }
        });
    }

    /** Whether every file's chunk list is known (ready to serve over ut_xet). */
    boolean xetListsComplete() {
        return catalog != null && catalog.isComplete();
    }

    /** Adds peers to dial (from the command line, a tracker or PEX); dialled as connection slots allow. */
    public void addPeers(final List<InetSocketAddress> addresses) {
        loop.execute(() -> {
            for (final InetSocketAddress a : addresses) {
                if (!banned.contains(a.getAddress()) && !isSelf(a)) {
                    candidates.add(a);
                }
            }
            connectMore();
        });
    }

    private boolean isSelf(final InetSocketAddress a) {
        final int port = engine.listenPort();
        return a.getPort() == port && port > 0 && a.getAddress() != null
            && (a.getAddress().isLoopbackAddress() || a.getAddress().isAnyLocalAddress()
            || a.getAddress().equals(engine.config().bindAddress()));
    }

    /**
     * Sets what to call with each piece as it becomes ours (verified and on disk, downloaded or filled from Xet
     * chunks), on the torrent's event loop; it must be quick. Set it before adding peers to see every piece.
     */
    public void onPieceVerified(final java.util.function.IntConsumer listener) {
        this.pieceListener = java.util.Objects.requireNonNull(listener, "listener");
    }

    private void pieceVerified(final int piece) {
        final java.util.function.IntConsumer listener = pieceListener;
        if (listener != null) {
            try {
                listener.accept(piece);
            } catch (final RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, meta.name() + ": piece listener failed on piece " + piece, e);
            }
        }
    }

    /**
     * Completes when every piece is verified and on disk, flushed to the device and recorded in the resume data;
     * fails if the torrent stops in error.
     */
    public CompletableFuture<Void> completion() {
        return completion;
    }

    /**
     * Completes when every piece is verified and written, before the last of them are flushed to the device: the
     * moment a client reports a download done (readable in full from the files), which {@link #completion()}
     * follows once the data is durable. Never fails; a torrent that stops in error leaves it pending.
     */
    public CompletableFuture<Void> downloaded() {
        return downloaded;
    }

    /** Closes every connection and flushes the resume data; waits for pieces still in the ring. */
    CompletableFuture<Void> stop() {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (ticker != null) {
                ticker.cancel(false);
            }
            for (final PeerSession p : new ArrayList<>(peers)) {
                p.connection().close("torrent stopped");
            }
            if (state != State.ERROR) {
                state = State.STOPPED;
            }
            closeReadChannels();
            announcer.stop().whenComplete((v, e) -> done.complete(null));
        });
        return done;
    }

    // ---------------------------------------------------------------- PeerEndpoint

    @Override
    public InfoHash infoHash() {
        return infoHash;
    }

    @Override
    public PeerId ourPeerId() {
        return engine.peerId();
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public int pieceCount() {
        return pieceCount;
    }

    @Override
    public PeerHandler newPeer(final PeerConnection connection) {
        final InetSocketAddress remote = connection.remoteAddress();
        if (remote != null && banned.contains(remote.getAddress())) {
            return null;
        }
        if (peers.size() >= engine.config().maxPeersPerTorrent() || state == State.STOPPED) {
            return null;
        }
        final PeerSession peer = new PeerSession(this, connection);
        peers.add(peer);
        peerCount = peers.size();
        peer.start();
        return peer;
    }

    void peerGone(final PeerSession peer) {
        final XetPeer xet = peer.xet();
        if (xet != null) {
            xet.closed();
            if (xetFetch != null) {
                xetFetch.peerGone(xet);
            }
        }
        if (peers.remove(peer)) {
            peerCount = peers.size();
            peer.releaseRequests();
            peer.releaseAvailability();
            final InetSocketAddress remote = peer.remoteAddress();
            if (remote != null && peer.dialled() && !banned.contains(remote.getAddress())) {
                retryAfterNanos.put(remote, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
                candidates.add(remote);
            }
        }
    }

    // ---------------------------------------------------------------- connections

    private void connectMore() {
        if (state == State.STOPPED || state == State.ERROR || candidates.isEmpty()) {
            return;
        }
        final long now = System.nanoTime();
        final var it = candidates.iterator();
        while (it.hasNext() && peers.size() + connecting.size() < engine.config().maxPeersPerTorrent()) {
            final InetSocketAddress address = it.next();
            final Long retry = retryAfterNanos.get(address);
            if (retry != null && retry - now > 0) {
                continue;
            }
            if (isConnectedTo(address)) {
                it.remove();
                continue;
            }
            it.remove();
            connecting.add(address);
            engine.network().connect(address, engine.config().bindAddress(), this).addListener(f -> {
                connecting.remove(address);
                if (!f.isSuccess()) {
                    retryAfterNanos.put(address, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
                    candidates.add(address);
                }
            });
        }
    }

    private boolean isConnectedTo(final InetSocketAddress address) {
        for (final PeerSession p : peers) {
            if (address.equals(p.remoteAddress()) || address.equals(p.listenAddress())) {
                return true;
            }
        }
        return false;
    }

    void ban(final PeerSession peer, final String reason) {
        final InetSocketAddress remote = peer.remoteAddress();
        LOG.log(System.Logger.Level.WARNING, "banning peer " + remote + ": " + reason);
        if (remote != null) {
            banned.add(remote.getAddress());
            candidates.removeIf(a -> a.getAddress().equals(remote.getAddress()));
            for (final PeerSession p : new ArrayList<>(peers)) {
                final InetSocketAddress r = p.remoteAddress();
                if (r != null && r.getAddress().equals(remote.getAddress())) {
                    p.connection().close("banned: " + reason);
                }
            }
        } else {
            peer.connection().close("banned: " + reason);
        }
    }

    /** Addresses banned so far (for tests and the status display). */
    public Set<InetAddress> bannedAddresses() {
        return Set.copyOf(banned);
    }

    // ---------------------------------------------------------------- download path

    boolean downloading() {
        return state == State.DOWNLOADING;
    }

    private void ensureStaging() {
        if (staging == null) {
            final int pieceLength = layout.pieceLength(0);
            final int slots = Math.min(pieceCount,
                StagingPool.slotsFor(engine.config().stagingBytes(), pieceLength, 4));
            staging = new StagingPool(slots, pieceLength);
            slotOfPiece = new int[pieceCount];
            java.util.Arrays.fill(slotOfPiece, -1);
            blocksDone = new int[pieceCount];
            contributorsBySlot = new ArrayList<>(slots);
            for (int i = 0; i < slots; i++) {
                contributorsBySlot.add(new ArrayList<>(4));
            }
            picker.setMaxPartialPieces(slots);
        }
    }

    /**
     * Picks up to {@code max} blocks for a peer and claims staging slots for new pieces. Returns the
     * number of encoded blocks ({@code piece << 32 | block}) written to {@code out}.
     */
    int pickFor(final PeerSession peer, final int max, final long[] out) {
        if (!downloading()) {
            return 0;
        }
        ensureStaging();
        final int n = picker.pickBlocks(peer, Math.min(max, out.length), out);
        int kept = 0;
        for (int i = 0; i < n; i++) {
            final int piece = (int) (out[i] >>> 32);
            if (slotOfPiece[piece] < 0) {
                final int slot = staging.acquire();
                if (slot < 0) {
                    picker.requestCancelled(piece, (int) out[i]);
                    continue;
                }
                slotOfPiece[piece] = slot;
            }
            out[kept++] = out[i];
        }
        return kept;
    }

    /** A requested block arrived from {@code peer}; copies it to its staging slot. */
    void blockArrived(final PeerSession peer, final int piece, final int block, final ByteBuf data) {
        final int length = data.readableBytes();
        downloadedPayload += length;
        final int slot = slotOfPiece == null ? -1 : slotOfPiece[piece];
        if (slot < 0 || have.get(piece) || !picker.blockReceived(piece, block)) {
            wastedBytes += length;
            return;
        }
        staging.copyIn(slot, block * BLOCK, data);
        final List<PeerSession> contributors = contributorsBySlot.get(slot);
        if (!contributors.contains(peer)) {
            contributors.add(peer);
        }
        if (picker.isEndgame()) {
            for (final PeerSession other : peers) {
                if (other != peer) {
                    other.cancelIfRequested(piece, block);
                }
            }
        }
        if (++blocksDone[piece] == blockCount(layout.pieceLength(piece))) {
            publish(piece, slot);
        }
    }

    private void publish(final int piece, final int slot) {
        inRing.incrementAndGet();
        if (!engine.ring().publish(this, piece, slot, staging.view(slot, layout.pieceLength(piece)))) {
            inRing.decrementAndGet();
            loop.schedule(() -> publish(piece, slot), 1, TimeUnit.MILLISECONDS);
        }
    }

    /** Waits (bounded) until every piece this torrent published has left the ring and been recorded. */
    void awaitQuiet() {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (inRing.get() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(5);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!loop.inEventLoop()) {
            try {
                loop.submit(() -> { }).get(10, TimeUnit.SECONDS);
            } catch (final Exception e) {
                LOG.log(System.Logger.Level.WARNING, "event loop did not drain: " + e);
            }
        }
    }

    /** A request was given up (time-out, reject, choke or disconnect): the block may go to another peer. */
    void requestDropped(final int piece, final int block) {
        picker.requestCancelled(piece, block);
    }

    @Override
    public boolean matches(final int piece, final byte[] digest, final int offset) {
        return Arrays.equals(digest, offset, offset + Sha1.LENGTH, pieceHashes, piece * Sha1.LENGTH,
            (piece + 1) * Sha1.LENGTH);
    }

    /** Whether piece {@code piece}, as the files hold it now, hashes to its expected hash. Disk thread. */
    boolean pieceOnDiskMatches(final int piece, final DiskScratch scratch) {
        return store.pieceMatches(piece, pieceHashes, scratch.block, scratch.sha1);
    }

    @Override
    public void chunk(final int piece, final ByteBuffer data) {
        if (chunker != null) {
            chunker.pieceVerified(piece, data);
        }
    }

    @Override
    public void write(final int piece, final ByteBuffer data, final boolean direct) throws Exception {
        final int length = data.remaining();
        store.writePiece(piece, data, direct);
        writeBehind(length);
        if (chunker != null) {
            chunker.pieceWritten(piece);
        }
    }

    /**
     * Starts flushing written pieces to the device every {@link #WRITE_BEHIND_BYTES}, on the disk executor. Resume
     * data marks a piece verified only after its bytes were flushed, so without this the whole backlog since the
     * last resume save (hundreds of MiB at full speed) was flushed at completion, after the last block: about a
     * second of a 1 GiB download (docs/performance.md). Flushing as the data arrives overlaps that work with the
     * transfer and leaves only the tail for the end. Called on the disk-write stage's thread.
     */
    private void writeBehind(final int bytes) {
        unflushedBytes += bytes;
        if (unflushedBytes >= WRITE_BEHIND_BYTES && flushPending.compareAndSet(false, true)) {
            unflushedBytes = 0;
            engine.diskExecutor().execute(() -> {
                try {
                    store.force();
                    engine.metrics().counter("ccbt_write_behind_flushes_total",
                        "Flushes of downloaded data to the device started as it was written (not by a resume save)").inc();
                } catch (final RuntimeException e) {
                    // the next resume save flushes again and reports what still fails
                    LOG.log(System.Logger.Level.WARNING, meta.name() + ": write-behind flush failed: " + e);
                } finally {
                    flushPending.set(false);
                }
            });
        }
    }

    private TorrentChunker.Sink xetSink() {
        final ccbt.telemetry.Counter chunks = engine.metrics().counter("ccbt_xet_chunks_total",
            "Xet chunks cut from downloaded data");
        final ccbt.telemetry.Counter bytes = engine.metrics().counter("ccbt_xet_chunked_bytes_total",
            "Downloaded bytes run through Xet chunking");
        final ccbt.telemetry.Counter shared = engine.metrics().counter("ccbt_xet_shared_bytes_total",
            "Chunked bytes already indexed from another torrent or file");
        final ccbt.telemetry.Counter mismatches = engine.metrics().counter("ccbt_xet_file_hash_mismatches_total",
            "Downloaded files whose Xet hash differs from the torrent's Xet metadata");
        final ccbt.xet.hash.ChunkHashList[] lists = new ccbt.xet.hash.ChunkHashList[layout.fileCount()];
        return new TorrentChunker.Sink() {
            @Override
            public void chunk(final int file, final long offset, final int length, final XetHash hash) {
                chunks.inc();
                bytes.add(length);
                if (lists[file] == null) {
                    lists[file] = new ccbt.xet.hash.ChunkHashList();
                }
                lists[file].add(hash, length);
            }

            @Override
            public void fileDone(final int file, final XetHash fileHash, final int count) {
                xetFileHashes[file] = fileHash;
                final ccbt.xet.hash.ChunkHashList list = lists[file] == null
                    ? new ccbt.xet.hash.ChunkHashList() : lists[file];
                lists[file] = null;
                final byte[] expected = meta.files().get(file).xetHash();
                if (expected != null && !fileHash.matches(expected, 0)) {
                    // The pieces passed SHA-1, so the data is what the torrent describes; its Xet metadata is not.
                    mismatches.inc();
                    LOG.log(System.Logger.Level.WARNING, meta.name() + ": " + meta.files().get(file).relativePath()
                        + " has Xet hash " + fileHash.hex() + ", the torrent says otherwise; its chunks are not shared");
                    return;
                }
                shared.add(recordChunks(file, ccbt.xet.format.ChunkList.of(list)));
            }
        };
    }

    /**
     * Stores file {@code file}'s chunk list in the catalog and, the first time only (a resumed download or a
     * restarted seeder must not count twice), takes one index reference per chunk new to this torrent.
     * Returns the bytes of those chunks that were already indexed elsewhere.
     */
    private long recordChunks(final int file, final ccbt.xet.format.ChunkList list) {
        final List<XetHash> fresh = catalog.newHashes(file, list);
        if (fresh == null) {
            return 0;
        }
        // References first, then the stored list: a crash between the two leaves one reference too many
        // (a chunk kept too long), never a list whose references were not taken (a chunk dropped while used).
        final java.util.Map<XetHash, long[]> firstPlace = new java.util.HashMap<>();
        long offset = 0;
        for (int i = 0; i < list.size(); i++) {
            firstPlace.putIfAbsent(list.hash(i), new long[] {offset, list.length(i)});
            offset += list.length(i);
        }
        final ccbt.store.dedup.ChunkIndex index = engine.chunkIndex();
        final int store = xetStoreId(file);
        final long now = System.currentTimeMillis();
        long shared = 0;
        for (final XetHash hash : fresh) {
            final long[] at = firstPlace.get(hash);
            final ccbt.store.dedup.ChunkLocation in =
                index.addOrReference(hash.bytes(), store, at[0], (int) at[1], now);
            if (in.storeId() != store || in.offset() != at[0]) {
                shared += at[1];
            }
        }
        try {
            catalog.store(file, list);
        } catch (final java.io.UncheckedIOException e) {
            LOG.log(System.Logger.Level.WARNING, meta.name() + ": " + e.getMessage());
        }
        return shared;
    }

    /** The dedup store id of file {@code file} (recorded with its absolute path on first use). */
    int xetStoreId(final int file) {
        return engine.xetStores().idOf(infoHash, file, layout.file(file).relativePath(), store.path(file));
    }

    /**
     * The Xet file hash of each file (null for pad files, and for all files until the download completed
     * with Xet chunking on). Completes with the download's {@link #completion()}.
     */
    public XetHash[] xetFileHashes() {
        return xetFileHashes.clone();
    }

    @Override
    public void pieceDone(final int piece, final int slot, final PieceOutcome outcome, final Throwable failure) {
        loop.execute(() -> onPieceDone(piece, slot, outcome, failure));
    }

    private void onPieceDone(final int piece, final int slot, final PieceOutcome outcome, final Throwable failure) {
        final List<PeerSession> contributors = contributorsBySlot.get(slot);
        slotOfPiece[piece] = -1;
        blocksDone[piece] = 0;
        staging.release(slot);
        switch (outcome) {
            case WRITTEN -> {
                for (final PeerSession p : contributors) {
                    failures.pieceVerified(p.id());
                }
                pieceHad(piece);
            }
            case HASH_FAILED -> {
                picker.pieceFailed(piece);
                engine.metrics().counter("ccbt_hash_failures_total", "Pieces that failed their hash").inc();
                for (final PeerSession p : contributors) {
                    if (failures.pieceFailed(p.id(), contributors.size() == 1)) {
                        ban(p, "contributed to " + failures.failures(p.id()) + " pieces that failed their hash");
                    }
                }
            }
            case WRITE_FAILED -> {
                picker.pieceFailed(piece);
                fail("cannot write piece " + piece + ": " + failure.getMessage());
            }
        }
        contributors.clear();
        inRing.decrementAndGet();
        for (final PeerSession p : peers) {
            p.fillRequests();
        }
    }

    private void onDownloadComplete() {
        if (chunker == null) {
            downloadComplete();
            return;
        }
        // Every piece has passed the Xet-chunk and disk-write stages, so the chunker is ours now. What
        // arrived out of order is chunked from disk, off the event loop, before the download counts as done;
        // files a Xet fetch filled from their chunk lists are not read back: those lists are their chunking.
        final ccbt.xet.format.ChunkList[] known = xetFetch == null ? null : xetFetch.listsOfFilledFiles();
        engine.diskExecutor().execute(() -> {
            try {
                for (int f = 0; known != null && f < known.length; f++) {
                    if (known[f] != null) {
                        chunker.adopt(f, known[f]);
                    }
                }
                chunker.finish();
            } catch (final RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, meta.name() + ": Xet chunking failed: " + e);
            }
            loop.execute(this::downloadComplete);
        });
    }

    private void downloadComplete() {
        state = State.SEEDING;
        engine.torrentCompleted(this);
        downloaded.complete(null);
        saveResume(true);
        for (final PeerSession p : peers) {
            p.updateInterest();
        }
        announcer.completed();
        completion.complete(null);
    }

    private void fail(final String message) {
        if (state == State.ERROR) {
            return;
        }
        LOG.log(System.Logger.Level.ERROR, meta.name() + ": " + message);
        error = message;
        state = State.ERROR;
        saveResume(true);
        completion.completeExceptionally(new IllegalStateException(message));
    }

    // ---------------------------------------------------------------- upload path

    /** Whether we can serve a verified piece. */
    boolean canServe(final int piece) {
        return have.get(piece);
    }

    /**
     * A zero-copy view of a block for sending, or null when it spans files (or lies in a pad file) and must
     * be read into a buffer instead. The file channels are opened read-only on first use and closed when
     * the torrent stops; a region does not close its channel.
     */
    io.netty.channel.FileRegion fileRegion(final int piece, final int begin, final int length) {
        if (!ZERO_COPY_UPLOAD || !engine.zeroCopyUploads()) {
            return null;
        }
        final long abs = layout.pieceOffset(piece) + begin;
        final int file = layout.fileAt(abs);
        final long inFile = abs - layout.fileOffset(file);
        if (layout.file(file).padFile() || inFile + length > layout.file(file).length()) {
            return null;
        }
        if (readChannels == null) {
            readChannels = new java.nio.channels.FileChannel[layout.fileCount()];
        }
        java.nio.channels.FileChannel ch = readChannels[file];
        if (ch == null || !ch.isOpen()) {
            try {
                ch = java.nio.channels.FileChannel.open(store.path(file), java.nio.file.StandardOpenOption.READ);
            } catch (final java.io.IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot open " + store.path(file) + " to upload: " + e);
                return null;
            }
            readChannels[file] = ch;
        }
        return new SharedFileRegion(ch, inFile, length);
    }

    /** A file region over a channel the torrent keeps open: releasing it leaves the channel open. */
    private static final class SharedFileRegion extends io.netty.channel.DefaultFileRegion {
        SharedFileRegion(final java.nio.channels.FileChannel channel, final long position, final long count) {
            super(channel, position, count);
        }

        @Override
        protected void deallocate() {
            // the channel belongs to the torrent
        }
    }

    private void closeReadChannels() {
        if (readChannels == null) {
            return;
        }
        for (final java.nio.channels.FileChannel ch : readChannels) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (final java.io.IOException e) {
                    // closing a read-only channel: nothing to lose
                }
            }
        }
        readChannels = null;
    }

    void uploaded(final int length) {
        uploadedPayload += length;
    }

    // ---------------------------------------------------------------- Xet (ut_xet)

    /** Whether this torrent speaks ut_xet: it has Xet metadata, or the engine chunks downloads. */
    boolean xetEnabled() {
        return catalog != null;
    }

    /** Whether every piece covering {@code [abs, abs + length)} is verified. */
    boolean hasRange(final long abs, final int length) {
        for (int p = layout.pieceAt(abs); p <= layout.pieceAt(abs + length - 1); p++) {
            if (!have.get(p)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs {@code work} on the disk executor, then what it returns on the event loop. Counted with the pieces
     * in the ring, so that stopping the torrent waits for it before the store closes.
     */
    void xetDiskTask(final java.util.function.Supplier<Runnable> work) {
        inRing.incrementAndGet();
        try {
            engine.diskExecutor().execute(() -> {
                Runnable then = null;
                try {
                    then = work.get();
                } catch (final RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, meta.name() + ": Xet disk task failed: " + e);
                }
                final Runnable done = then;
                try {
                    loop.execute(() -> {
                        try {
                            if (done != null) {
                                done.run();
                            }
                        } finally {
                            inRing.decrementAndGet();
                        }
                    });
                } catch (final java.util.concurrent.RejectedExecutionException e) {
                    inRing.decrementAndGet();
                }
            });
        } catch (final java.util.concurrent.RejectedExecutionException e) {
            inRing.decrementAndGet();
        }
    }

    /** A piece filled from Xet chunks passed its SHA-1 from disk: it counts exactly like a downloaded piece. */
    void xetPieceVerified(final int piece) {
        if (have.get(piece) || state != State.DOWNLOADING) {
            return;
        }
        if (chunker != null) {
            chunker.pieceWritten(piece);
        }
        pieceHad(piece);
    }

    /** A piece is verified and on disk, however it came: ours from now on, announced to every peer. */
    private void pieceHad(final int piece) {
        have.set(piece);
        picker.pieceVerified(piece);
        engine.piecesVerified().inc();
        verifiedBytes += layout.pieceLength(piece);
        resumeDirty = true;
        pieceVerified(piece);
        for (final PeerSession p : peers) {
            p.pieceCompleted(piece);
        }
        if (have.isComplete()) {
            onDownloadComplete();
        }
    }

    /** Pieces went back from the Xet plan to the normal download: peers may be interesting again. */
    void xetReleased() {
        for (final PeerSession p : peers) {
            p.updateInterest();
            p.fillRequests();
        }
    }

    /** A verified chunk could not be written: the torrent stops in error, as for a piece. */
    void xetWriteFailed(final RuntimeException e) {
        fail("cannot write Xet chunk: " + e.getMessage());
    }

    /** A chunk (or chunk list) from {@code peer} failed verification: counted like a piece failing its hash. */
    void xetBadData(final XetPeer peer, final String reason) {
        engine.metrics().counter("ccbt_xet_bad_chunks_total", "ut_xet chunks or chunk lists that failed verification")
            .inc();
        if (failures.pieceFailed(peer.id(), true)) {
            ban(peer.peer(), "sent Xet data that failed verification: " + reason);
        }
    }

    void xetChunkFetched(final int length) {
        downloadedPayload += length;
        engine.downloadedBytes().add(length);
        engine.metrics().counter("ccbt_xet_chunks_fetched_total", "Xet chunks fetched from ut_xet peers").inc();
        engine.metrics().counter("ccbt_xet_fetched_bytes_total", "Bytes of Xet chunks fetched from ut_xet peers")
            .add(length);
    }

    void xetCopiedLocally(final long bytes) {
        engine.metrics().counter("ccbt_xet_local_bytes_total",
            "Bytes put in place from chunks already on disk (not downloaded)").add(bytes);
    }

    void xetServed(final int length) {
        uploadedPayload += length;
        engine.uploadedBytes().add(length);
        engine.metrics().counter("ccbt_xet_chunks_served_total", "Xet chunks served to ut_xet peers").inc();
    }

    // ---------------------------------------------------------------- choking

    /** A peer became interested: unchoke it at once if a slot is free, instead of waiting for the round. */
    void peerInterested(final PeerSession peer) {
        if (peer.amChoking() && slotFree()) {
            peer.unchoke();
        }
    }

    /**
     * A peer has shown what it holds (a bitfield, HAVE NONE, or an extension handshake with no bitfield before it,
     * which BEP 3 lets a peer with nothing skip) and lacks pieces we have: unchoke it at once if a slot is free,
     * before it says it is interested. Its INTERESTED and first requests then travel together instead of waiting for our UNCHOKE
     * in between; transmission's leecher, which asks only on its one-second pulse, started a second later without
     * this. The peer keeps the slot while no interested peer needs it (transmission's leecher decides interest on
     * its own ten-second pulse); a peer that turns out to be a seed is choked at once ({@code
     * PeerSession.becomeSeed}).
     */
    void peerMayWant(final PeerSession peer) {
        if (peer.amChoking() && slotFree() && weHaveWhatItLacks(peer)) {
            peer.unchoke();
        }
    }

    private boolean weHaveWhatItLacks(final PeerSession peer) {
        for (int i = have.nextSetBit(0); i >= 0; i = have.nextSetBit(i + 1)) {
            if (!peer.has(i)) {
                return true;
            }
        }
        return false;
    }

    /** Fewer peers unchoked than the regular slots plus the optimistic one. */
    private boolean slotFree() {
        return unchokedCount() < engine.config().uploadSlots() + 1;
    }

    private int unchokedCount() {
        int n = 0;
        for (final PeerSession p : peers) {
            if (!p.amChoking()) {
                n++;
            }
        }
        return n;
    }

    /** Runs a choke round now, on the session's loop, and waits for it (tests; the ticker runs one every 10 s). */
    void chokeRoundNow() throws Exception {
        loop.submit(this::chokeRound).get(10, TimeUnit.SECONDS);
    }

    /** Every 10 s: tit-for-tat with one optimistic slot (see {@link ChokeRound}). */
    private void chokeRound() {
        final int slots = engine.config().uploadSlots();
        chokeRound.run(peers, state == State.SEEDING, slots, System.nanoTime(), unchoke);
        int unchoked = unchoke.size();
        for (final PeerSession p : peers) {
            if (unchoke.contains(p.id())) {
                p.unchoke();
            } else if (!p.peerInterested() && !p.amChoking() && !p.isSeed() && unchoked < slots + 1) {
                unchoked++; // unchoked before it asked (peerMayWant): it keeps a slot nobody interested needs
            } else if (p.peerInterested() || !p.amChoking()) {
                p.choke();
            }
        }
    }

    // ---------------------------------------------------------------- periodic work

    private void tick() {
        final long now = System.nanoTime();
        tickCount++;
        for (final PeerSession p : new ArrayList<>(peers)) {
            p.tick(now);
        }
        if (xetFetch != null && downloading()) {
            xetFetch.tick(now);
        }
        if (tickCount % 4 == 0) {
            updateRates(now);
        }
        if (tickCount % 40 == 1) {
            chokeRound();
        }
        if (tickCount % 4 == 0) {
            connectMore();
        }
        if (resumeDirty && now - lastResumeSaveNanos > engine.config().resumeSaveInterval().toNanos()) {
            saveResume(false);
        }
    }

    private void updateRates(final long now) {
        final double seconds = (now - lastRateNanos) / 1e9;
        if (seconds <= 0) {
            return;
        }
        final long down = downloadedPayload;
        final long up = uploadedPayload;
        downloadRate = (down - lastDownloaded) / seconds;
        uploadRate = (up - lastUploaded) / seconds;
        lastDownloaded = down;
        lastUploaded = up;
        lastRateNanos = now;
    }

    /** Writes resume data from a copy of the bitfield, off the event loop unless {@code now}. */
    private void saveResume(final boolean now) {
        resumeDirty = false;
        lastResumeSaveNanos = System.nanoTime();
        final Bitfield bits = have.copy();
        final Runnable save = () -> engine.saveResume(this, bits);
        if (now) {
            save.run();
        } else {
            engine.diskExecutor().execute(save);
        }
    }

    // ---------------------------------------------------------------- status

    /** A consistent-enough snapshot for progress lines and metrics; safe from any thread. */
    public TorrentStats stats() {
        return new TorrentStats(meta.name(), state, error, verifiedBytes, layout.totalLength(),
            downloadedPayload, uploadedPayload, wastedBytes, downloadRate, uploadRate, peerCount);
    }

    /** The torrent's metainfo. */
    public Metainfo metainfo() {
        return meta;
    }

    /** The current state. */
    public State state() {
        return state;
    }
}
