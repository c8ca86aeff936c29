package ccbt.pipeline.session;

import ccbt.core.DirectBuffers;
import ccbt.pipeline.xet.XetStores;
import ccbt.store.FileLayout;
import ccbt.store.dedup.ChunkIndex;
import ccbt.store.dedup.ChunkLocation;
import ccbt.xet.format.ChunkList;
import ccbt.xet.hash.XetHash;
import ccbt.xet.wire.XetChunkVerifier;
import ccbt.xet.wire.XetPeerRequests;
import ccbt.xet.wire.XetRequestTracker;
import ccbt.xet.wire.XetWireDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The Xet phase of a download (docs/xet.md, "Fetching"): the pieces of a torrent with Xet metadata are
 * filled chunk by chunk instead of block by block. For each file, the chunk list is fetched from a
 * {@code ut_xet} peer (verified against the file's Xet hash from the info dictionary); every chunk the
 * dedup index already holds (in any torrent's files, or earlier in this one) is copied from disk and checked
 * against its hash; the others are requested from {@code ut_xet} peers. A piece whose bytes are all in place
 * is SHA-1 checked from disk and then counts exactly like a downloaded piece.
 *
 * <p>The pieces the plan may fill are held back from the piece picker ({@link ccbt.pipeline.picker.PiecePicker#weHave}
 * reserves them; {@code pieceFailed} gives them back), so no byte is downloaded twice. They go back to the
 * normal download when no {@code ut_xet} peer is connected for the grace period, when a file's list or a
 * chunk is found nowhere, or when a filled piece fails its SHA-1.
 *
 * <p>Confined to the torrent's event loop; all disk work (index lookups, copies, writes, checks) runs on the
 * disk executor and reports back to the loop.
 */
final class XetFetch implements XetPeerRequests.Listener {
    private static final System.Logger LOG = System.getLogger(XetFetch.class.getName());
    /** How long the plan waits for a {@code ut_xet} peer before giving its pieces to the normal download. */
    static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong("ccbt.xet.graceMillis", 5_000));
    /** Chunks looked up and copied per disk task. */
    private static final int LOCAL_BATCH = 64;
    /** CHUNK_ERROR busy answers a chunk may get (one per tick) before it counts as refused by that peer. */
    private static final int MAX_BUSY = 50;
    /**
     * Received chunks wait for their disk task in direct buffers of the largest chunk's size, reused: a heap copy
     * per chunk was garbage at the exchange's rate, and the JDK copied it once more into a temporary direct buffer
     * for the write. The chunks in flight bound how many exist at once; this many are kept between bursts (8 MiB).
     * Buffers made and spare are event-loop state.
     */
    static final int MAX_SPARE_CHUNK_BUFFERS = 64;
    private final ArrayDeque<ByteBuffer> spareChunkBuffers = new ArrayDeque<>();
    private int chunkBuffersMade;

    private final TorrentSession t;
    private final FileLayout layout;
    /** Pieces the plan may still fill; the bits are read by the disk threads before they write. */
    private final AtomicLongArray owned;
    private int ownedCount;
    private final long[] filled;
    private final long[] needed;
    /** Pieces this fetch filled and saw pass their SHA-1 (bits, event loop). */
    private final long[] verifiedHere;
    private final Set<Long> filledPlaces = new HashSet<>();
    private final FileState[] files;
    private final Map<XetHash, Need> needs = new LinkedHashMap<>();
    private final ArrayDeque<XetHash> queue = new ArrayDeque<>();
    /** Chunks a peer answered busy: asked again at the next tick, not at once (no ping-pong). */
    private final List<XetHash> deferred = new ArrayList<>();
    /** Where a chunk already written by this fetch lies (absolute offset), for later places of it. */
    private final Map<XetHash, Long> written = new HashMap<>();
    private final List<XetPeer> peers = new ArrayList<>();
    private long graceDeadline;

    private enum ListState { WANTED, REQUESTED, PLANNED, DONE }

    private static final class FileState {
        ListState state = ListState.WANTED;
        int peer = -1;
        boolean deferred;
        final Set<Integer> refusedBy = new HashSet<>();
        /** The verified chunk list, once a peer sent it. */
        ChunkList list;
    }

    /** A chunk still to be put in place: where it goes, and who was asked for it. */
    private static final class Need {
        final XetHash hash;
        final int length;
        final List<Long> places = new ArrayList<>();
        final Set<Integer> asked = new HashSet<>();
        int inFlight = -1;
        int busy;
        boolean busyDisk;

        Need(final XetHash hash, final int length) {
            this.hash = hash;
            this.length = length;
        }
    }

    XetFetch(final TorrentSession torrent) {
        this.t = torrent;
        this.layout = torrent.layout;
        final int pieces = layout.pieceCount();
        this.owned = new AtomicLongArray((pieces + 63) >>> 6);
        this.filled = new long[pieces];
        this.needed = new long[pieces];
        this.verifiedHere = new long[(pieces + 63) >>> 6];
        this.files = new FileState[layout.fileCount()];
        for (int f = 0; f < files.length; f++) {
            files[f] = new FileState();
            final long length = layout.file(f).length();
            if (layout.file(f).padFile() || length == 0) {
                files[f].state = ListState.DONE;
                continue;
            }
            final long start = layout.fileOffset(f);
            final int first = layout.pieceAt(start);
            final int last = layout.pieceAt(start + length - 1);
            for (int p = first; p <= last; p++) {
                final long ps = layout.pieceOffset(p);
                needed[p] += Math.min(start + length, ps + layout.pieceLength(p)) - Math.max(start, ps);
            }
        }
        // Every missing piece with file bytes goes to the plan before any peer can ask for it.
        for (int p = 0; p < pieces; p++) {
            if (!torrent.have.get(p) && needed[p] > 0) {
                own(p);
                torrent.picker.weHave(p);
            }
        }
        for (int f = 0; f < files.length; f++) {
            if (files[f].state == ListState.WANTED && !ownsAny(f)) {
                files[f].state = ListState.DONE;
            }
        }
        this.graceDeadline = System.nanoTime() + GRACE_NANOS;
    }

    private void own(final int p) {
        owned.getAndUpdate(p >>> 6, w -> w | (1L << (p & 63)));
        ownedCount++;
    }

    boolean owns(final int p) {
        return (owned.get(p >>> 6) & (1L << (p & 63))) != 0;
    }

    private boolean ownsAny(final int file) {
        final long start = layout.fileOffset(file);
        final long end = start + layout.file(file).length();
        for (int p = layout.pieceAt(start); p <= layout.pieceAt(end - 1); p++) {
            if (owns(p)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the plan still holds pieces. */
    boolean active() {
        return ownedCount > 0;
    }

    /** Pieces the plan still holds (for tests and status). */
    int ownedPieces() {
        return ownedCount;
    }

    // ---------------------------------------------------------------- peers

    void peerReady(final XetPeer peer) {
        if (!active()) {
            return;
        }
        peers.add(peer);
        drive();
    }

    void peerGone(final XetPeer peer) {
        if (!peers.remove(peer)) {
            return;
        }
        for (final FileState f : files) {
            if (f.state == ListState.REQUESTED && f.peer == peer.id()) {
                f.state = ListState.WANTED;
                f.peer = -1;
            }
        }
        for (final Need n : needs.values()) {
            if (n.inFlight == peer.id()) {
                n.inFlight = -1;
                n.asked.add(peer.id());
                queue.add(n.hash);
            }
        }
        if (peers.isEmpty()) {
            graceDeadline = System.nanoTime() + GRACE_NANOS;
        }
        drive();
    }

    /** Periodic work from the torrent's tick: time-outs, the grace period, and more requests. */
    void tick(final long now) {
        if (!active()) {
            return;
        }
        for (final XetPeer p : new ArrayList<>(peers)) {
            p.expire(now, (id, kind, hash, fileIndex) -> timedOut(p, kind, hash, fileIndex));
        }
        queue.addAll(deferred);
        deferred.clear();
        for (final FileState f : files) {
            f.deferred = false;
        }
        if (peers.isEmpty() && now - graceDeadline > 0 && !busyOnDisk()) {
            releaseAll("no ut_xet peer within " + TimeUnit.NANOSECONDS.toMillis(GRACE_NANOS) + " ms");
            return;
        }
        drive();
    }

    private boolean busyOnDisk() {
        for (final Need n : needs.values()) {
            if (n.busyDisk) {
                return true;
            }
        }
        return false;
    }

    private void timedOut(final XetPeer p, final int kind, final XetHash hash, final int file) {
        if (kind == XetRequestTracker.KIND_CHUNK_LIST) {
            if (files[file].state == ListState.REQUESTED) {
                files[file].state = ListState.WANTED;
                files[file].refusedBy.add(p.id());
            }
        } else {
            final Need n = needs.get(hash);
            if (n != null && n.inFlight == p.id()) {
                n.inFlight = -1;
                n.asked.add(p.id());
                queue.add(hash);
            }
        }
    }

    // ---------------------------------------------------------------- requests

    private void drive() {
        if (!active() || !t.downloading()) {
            return;
        }
        requestLists();
        requestChunks();
    }

    private void requestLists() {
        for (int f = 0; f < files.length; f++) {
            final FileState s = files[f];
            if (s.state != ListState.WANTED || s.deferred || peers.isEmpty()) {
                continue;
            }
            XetPeer best = null;
            boolean anyLeft = false;
            for (final XetPeer p : peers) {
                if (!s.refusedBy.contains(p.id())) {
                    anyLeft = true;
                    if (p.requests().tracker().canRequest()
                        && (best == null || p.requests().tracker().outstanding() < best.requests().tracker().outstanding())) {
                        best = p;
                    }
                }
            }
            if (!anyLeft) {
                giveUpFile(f, "no ut_xet peer has its chunk list");
                continue;
            }
            if (best != null) {
                s.state = ListState.REQUESTED;
                s.peer = best.id();
                best.requestChunkList(f, XetHash.of(t.meta.files().get(f).xetHash()), layout.file(f).length());
            }
        }
    }

    private void requestChunks() {
        final ccbt.pipeline.rate.RateLimiter limit = t.engine.downloadLimit();
        int tries = queue.size();
        while (tries-- > 0 && !queue.isEmpty()) {
            final XetHash hash = queue.poll();
            final Need n = needs.get(hash);
            if (n == null || n.inFlight >= 0 || n.busyDisk) {
                continue;
            }
            if (!anyPlaceOwned(n)) {
                needs.remove(hash); // its pieces went to the normal download meanwhile
                continue;
            }
            XetPeer best = null;
            boolean anyLeft = false;
            for (final XetPeer p : peers) {
                if (!n.asked.contains(p.id()) && p.isOpen()) {
                    anyLeft = true;
                    if (p.requests().tracker().canRequest()
                        && (best == null || p.requests().tracker().outstanding() < best.requests().tracker().outstanding())) {
                        best = p;
                    }
                }
            }
            if (!anyLeft) {
                if (!peers.isEmpty()) {
                    giveUp(n, "no ut_xet peer has chunk " + hash);
                } else {
                    queue.add(hash); // wait for a peer, or the grace period
                }
                continue;
            }
            if (best == null || !limit.isUnlimited() && !limit.tryAcquire(n.length)) {
                queue.addFirst(hash); // every peer is at its bound (or we are at the rate limit): wait
                break;
            }
            n.inFlight = best.id();
            best.requestChunk(hash);
        }
        for (final XetPeer p : peers) {
            p.peer().connection().flush();
        }
    }

    // ---------------------------------------------------------------- XetPeerRequests.Listener

    private XetPeer current;

    /** The peer whose response is being handled (the callbacks below come from it), or null. */
    void responding(final XetPeer peer) {
        current = peer;
    }

    @Override
    public void chunkList(final int file, final ChunkList list) {
        final FileState s = files[file];
        if (s.state != ListState.REQUESTED) {
            return;
        }
        s.state = ListState.PLANNED;
        s.list = list;
        final long start = layout.fileOffset(file);
        long offset = 0;
        final List<Need> fresh = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            final long abs = start + offset;
            final int length = list.length(i);
            offset += length;
            if (!ownsAnyIn(abs, length) || filledPlaces.contains(abs)) {
                continue;
            }
            final XetHash hash = list.hash(i);
            Need n = needs.get(hash);
            if (n == null) {
                n = new Need(hash, length);
                needs.put(hash, n);
                fresh.add(n);
            }
            n.places.add(abs);
        }
        for (int i = 0; i < fresh.size(); i += LOCAL_BATCH) {
            copyLocally(fresh.subList(i, Math.min(fresh.size(), i + LOCAL_BATCH)));
        }
        drive();
    }

    @Override
    public void chunkListIncomplete(final int file, final int nextOffset) {
        if (current != null && files[file].state == ListState.REQUESTED) {
            current.requestChunkList(file, XetHash.of(t.meta.files().get(file).xetHash()), layout.file(file).length());
            current.peer().connection().flush();
        }
    }

    @Override
    public void chunk(final int requestId, final XetHash hash, final ByteBuffer buffer, final int offset,
                      final int length) {
        final Need n = needs.get(hash);
        if (n == null || current == null || n.inFlight != current.id()) {
            t.engine.metrics().counter("ccbt_xet_wasted_chunks_total", "Verified chunks no longer needed").inc();
            return;
        }
        n.inFlight = -1;
        t.xetChunkFetched(length);
        // the peer's buffer is released when this returns; the chunk goes on to a disk thread in one of ours
        final ByteBuffer copy = takeChunkBuffer();
        copy.put(0, buffer, offset, length).limit(length);
        write(n, copy);
    }

    /** A spare direct buffer with room for the largest chunk, cleared. Event loop. */
    private ByteBuffer takeChunkBuffer() {
        final ByteBuffer spare = spareChunkBuffers.poll();
        if (spare != null) {
            return spare.clear();
        }
        chunkBuffersMade++;
        return DirectBuffers.cacheAligned(XetWireDescriptor.MAX_CHUNK_LENGTH);
    }

    /** Keeps a chunk buffer whose disk work is done for the next chunk, up to {@link #MAX_SPARE_CHUNK_BUFFERS}. */
    private void giveBack(final ByteBuffer chunkBuffer) {
        if (spareChunkBuffers.size() < MAX_SPARE_CHUNK_BUFFERS) {
            spareChunkBuffers.push(chunkBuffer);
        }
    }

    /** Spare chunk buffers held now (tests). */
    int spareChunkBuffers() {
        return spareChunkBuffers.size();
    }

    /** Chunk buffers made so far (tests). */
    int chunkBuffersMade() {
        return chunkBuffersMade;
    }

    @Override
    public void refused(final int requestId, final XetHash hash, final int file, final int code, final String message) {
        final int peer = current == null ? -1 : current.id();
        if (code == XetWireDescriptor.ERROR_BUSY) {
            t.engine.metrics().counter("ccbt_xet_busy_replies_total",
                "Xet requests a peer answered busy; asked again at the next tick").inc();
        }
        if (hash == null) {
            final FileState s = files[file];
            if (s.state == ListState.REQUESTED && s.peer == peer) {
                s.state = ListState.WANTED;
                if (code != XetWireDescriptor.ERROR_BUSY) {
                    s.refusedBy.add(peer);
                } else {
                    s.deferred = true;
                }
            }
        } else {
            final Need n = needs.get(hash);
            if (n != null && n.inFlight == peer) {
                n.inFlight = -1;
                if (code != XetWireDescriptor.ERROR_BUSY || ++n.busy > MAX_BUSY) {
                    n.asked.add(peer);
                    queue.add(hash);
                } else {
                    deferred.add(hash);
                }
            }
        }
    }

    // ---------------------------------------------------------------- disk work

    /** Copies the chunks the dedup index (or this download) already holds; the rest go to the peers. */
    private void copyLocally(final List<Need> batch) {
        final List<Need> work = new ArrayList<>(batch);
        for (final Need n : work) {
            n.busyDisk = true;
        }
        final Long[] own = new Long[work.size()];
        final long[][] places = new long[work.size()][];
        for (int i = 0; i < work.size(); i++) {
            own[i] = written.get(work.get(i).hash);
            places[i] = toArray(work.get(i).places);
        }
        t.xetDiskTask(() -> {
            final ChunkIndex index = t.engine.chunkIndex();
            final XetStores stores = t.engine.xetStores();
            final boolean[] found = new boolean[work.size()];
            final DiskScratch scratch = DiskScratch.current();
            final XetChunkVerifier verifier = scratch.chunkVerifier;
            final Map<Path, FileChannel> open = new HashMap<>();
            final ByteBuffer buf = scratch.chunk;
            try {
                for (int i = 0; i < work.size(); i++) {
                    final Need n = work.get(i);
                    buf.clear().limit(n.length);
                    boolean ok = readIndexed(index, stores, open, n, buf) && verifier.matches(n.hash, buf, 0, n.length);
                    if (!ok && own[i] != null) {
                        buf.clear().limit(n.length);
                        ok = t.store.read(own[i], buf) == n.length && verifier.matches(n.hash, buf, 0, n.length);
                    }
                    if (ok) {
                        buf.position(0).limit(n.length);
                        for (final long place : places[i]) {
                            writeOwned(place, buf);
                        }
                        found[i] = true;
                    }
                }
            } catch (final RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, t.meta.name() + ": copying chunks locally failed: " + e);
            } finally {
                for (final FileChannel ch : open.values()) {
                    try {
                        ch.close();
                    } catch (final IOException ignored) {
                        // read-only
                    }
                }
            }
            return () -> {
                for (int i = 0; i < work.size(); i++) {
                    final Need n = work.get(i);
                    n.busyDisk = false;
                    if (found[i]) {
                        t.xetCopiedLocally((long) n.length * places[i].length);
                        placed(n, places[i]);
                    } else {
                        queue.add(n.hash);
                    }
                }
                drive();
            };
        });
    }

    private static boolean readIndexed(final ChunkIndex index, final XetStores stores, final Map<Path, FileChannel> open,
                                       final Need n, final ByteBuffer buf) {
        final ChunkLocation at = index.get(n.hash.bytes());
        if (at == null || at.length() != n.length) {
            return false;
        }
        final Path path = stores.pathOf(at.storeId());
        if (path == null) {
            return false;
        }
        try {
            FileChannel ch = open.get(path);
            if (ch == null) {
                ch = FileChannel.open(path, StandardOpenOption.READ);
                open.put(path, ch);
            }
            long pos = at.offset();
            while (buf.hasRemaining()) {
                final int r = ch.read(buf, pos);
                if (r < 0) {
                    return false;
                }
                pos += r;
            }
            return true;
        } catch (final IOException e) {
            return false; // moved or deleted since it was indexed: fetch it instead
        }
    }

    /** Writes a verified chunk to every place it still has to go, off the event loop. */
    private void write(final Need n, final ByteBuffer data) {
        n.busyDisk = true;
        final long[] places = toArray(n.places);
        t.xetDiskTask(() -> {
            RuntimeException failure = null;
            try {
                for (final long place : places) {
                    writeOwned(place, data.duplicate());
                }
            } catch (final RuntimeException e) {
                failure = e;
            }
            final RuntimeException writeFailure = failure;
            return () -> {
                giveBack(data);
                n.busyDisk = false;
                if (writeFailure != null) {
                    t.xetWriteFailed(writeFailure);
                    return;
                }
                placed(n, places);
                drive();
            };
        });
    }

    /** Writes {@code chunk} at {@code abs}, except over pieces the plan no longer holds. Disk thread. */
    private void writeOwned(final long abs, final ByteBuffer chunk) {
        final int length = chunk.remaining();
        final int base = chunk.position();
        final long end = abs + length;
        for (int p = layout.pieceAt(abs); p <= layout.pieceAt(end - 1); p++) {
            if (!owns(p)) {
                continue;
            }
            final long ps = layout.pieceOffset(p);
            final long from = Math.max(abs, ps);
            final long to = Math.min(end, ps + layout.pieceLength(p));
            final ByteBuffer part = chunk.duplicate();
            part.limit(base + (int) (to - abs)).position(base + (int) (from - abs));
            t.store.write(from, part);
        }
    }

    /** A chunk is in place at {@code places}: counts the bytes and checks each piece that is now full. */
    private void placed(final Need n, final long[] places) {
        for (final long abs : places) {
            if (!filledPlaces.add(abs)) {
                continue;
            }
            written.putIfAbsent(n.hash, abs);
            final long end = abs + n.length;
            for (int p = layout.pieceAt(abs); p <= layout.pieceAt(end - 1); p++) {
                if (!owns(p)) {
                    continue;
                }
                final long ps = layout.pieceOffset(p);
                filled[p] += Math.min(end, ps + layout.pieceLength(p)) - Math.max(abs, ps);
                if (filled[p] == needed[p]) {
                    verifyPiece(p);
                }
            }
        }
        n.places.removeIf(filledPlaces::contains);
        if (n.places.isEmpty()) {
            needs.remove(n.hash);
        } else {
            copyLocally(List.of(n)); // places added while it was being written: copy from where it now is
        }
    }

    private void verifyPiece(final int piece) {
        t.xetDiskTask(() -> {
            boolean ok;
            try {
                ok = t.pieceOnDiskMatches(piece, DiskScratch.current());
            } catch (final RuntimeException e) {
                ok = false;
            }
            final boolean verified = ok;
            return () -> {
                if (!owns(piece)) {
                    return;
                }
                disown(piece);
                if (verified) {
                    verifiedHere[piece >>> 6] |= 1L << (piece & 63);
                    t.xetPieceVerified(piece);
                } else {
                    LOG.log(System.Logger.Level.WARNING, t.meta.name() + ": piece " + piece
                        + " filled from Xet chunks fails its SHA-1; downloading it instead");
                    t.engine.metrics().counter("ccbt_xet_piece_failures_total",
                        "Pieces filled from Xet chunks that failed their SHA-1").inc();
                    t.picker.pieceFailed(piece);
                    t.xetReleased();
                }
            };
        });
    }

    /**
     * For each file whose every piece this fetch filled from the file's verified chunk list and saw pass its SHA-1,
     * that list: the file's chunking, which then need not be read back and cut again (null for the other files).
     * Event loop.
     */
    ChunkList[] listsOfFilledFiles() {
        final ChunkList[] lists = new ChunkList[files.length];
        for (int f = 0; f < files.length; f++) {
            final long length = layout.file(f).length();
            if (files[f].list == null || length == 0 || files[f].list.fileLength() != length) {
                continue;
            }
            final long start = layout.fileOffset(f);
            boolean all = true;
            for (int p = layout.pieceAt(start); all && p <= layout.pieceAt(start + length - 1); p++) {
                all = (verifiedHere[p >>> 6] & (1L << (p & 63))) != 0;
            }
            if (all) {
                lists[f] = files[f].list;
            }
        }
        return lists;
    }

    // ---------------------------------------------------------------- giving pieces back

    private void disown(final int p) {
        if (owns(p)) {
            owned.getAndUpdate(p >>> 6, w -> w & ~(1L << (p & 63)));
            ownedCount--;
        }
    }

    private boolean anyPlaceOwned(final Need n) {
        for (final long abs : n.places) {
            if (ownsAnyIn(abs, n.length)) {
                return true;
            }
        }
        return false;
    }

    private boolean ownsAnyIn(final long abs, final int length) {
        for (int p = layout.pieceAt(abs); p <= layout.pieceAt(abs + length - 1); p++) {
            if (owns(p)) {
                return true;
            }
        }
        return false;
    }

    private void release(final int p) {
        if (owns(p)) {
            disown(p);
            t.picker.pieceFailed(p);
        }
    }

    private void giveUp(final Need n, final String why) {
        LOG.log(System.Logger.Level.INFO, t.meta.name() + ": " + why + "; its pieces go to the normal download");
        for (final long abs : n.places) {
            for (int p = layout.pieceAt(abs); p <= layout.pieceAt(abs + n.length - 1); p++) {
                release(p);
            }
        }
        needs.remove(n.hash);
        t.xetReleased();
    }

    private void giveUpFile(final int file, final String why) {
        LOG.log(System.Logger.Level.INFO, t.meta.name() + ": " + layout.file(file).relativePath() + ": " + why
            + "; its pieces go to the normal download");
        files[file].state = ListState.DONE;
        final long start = layout.fileOffset(file);
        for (int p = layout.pieceAt(start); p <= layout.pieceAt(start + layout.file(file).length() - 1); p++) {
            release(p);
        }
        t.xetReleased();
    }

    /** Gives every piece the plan holds back to the normal download. */
    void releaseAll(final String why) {
        if (!active()) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, t.meta.name() + ": " + why + "; " + ownedCount
            + " pieces go to the normal download");
        for (int p = 0; p < layout.pieceCount(); p++) {
            release(p);
        }
        needs.clear();
        queue.clear();
        deferred.clear();
        t.xetReleased();
    }

    private static long[] toArray(final List<Long> list) {
        final long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }
}
