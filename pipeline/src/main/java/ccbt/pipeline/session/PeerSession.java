package ccbt.pipeline.session;

import ccbt.core.Bitfield;
import ccbt.io.wire.ExtensionHandshake;
import ccbt.io.wire.PeerConnection;
import ccbt.io.wire.PeerHandler;
import ccbt.io.wire.PeerProtocolException;
import ccbt.pipeline.choke.ChokeCandidate;
import ccbt.pipeline.picker.PeerView;
import ccbt.pipeline.picker.RequestPipeline;
import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The generic state of one connected peer of a torrent: choke and interest on both sides, what the peer
 * has, our outstanding requests to it and its pending requests to us. The wire protocol itself lives in
 * {@code ccbt.io.peer}; this class decides what to do with each message. Runs on the torrent's event loop.
 */
final class PeerSession implements PeerHandler, PeerView, ChokeCandidate {
    private static final AtomicInteger IDS = new AtomicInteger();
    /** Pending upload requests kept per peer; more are refused (BEP 6) or dropped. */
    private static final int MAX_PENDING_UPLOADS = 2048;
    /** Blocks read from disk per batch when serving a peer. */
    private static final int SERVE_BATCH = 32;

    private final int id = IDS.incrementAndGet();
    private final long connectedAtNanos = System.nanoTime();
    private final org.agrona.collections.IntHashSet allowedFast = new org.agrona.collections.IntHashSet();
    private final TorrentSession torrent;
    private final PeerConnection connection;
    private final boolean fast;
    private final Bitfield peerHas;
    private boolean peerIsSeed;
    private boolean bitfieldSeen;

    private boolean amChoking = true;
    private boolean amInterested;
    private boolean peerChoking = true;
    private boolean peerInterested;
    private final RequestPipeline pipeline;
    private final long[] picked = new long[64];
    private final long[] expired = new long[64];

    private final UploadQueue uploads = new UploadQueue(MAX_PENDING_UPLOADS);
    private boolean serving;
    private InetSocketAddress listenAddress;

    private long downloadedFromPeer;
    /** A block arrived during the current read: refill the request pipeline once the read is done. */
    private boolean refill;
    private long uploadedToPeer;
    private long rateMark;
    private long upRateMark;
    private double rateFromPeer;
    private double rateToPeer;
    private long lastSentNanos = System.nanoTime();
    /** The peer's ut_xet side, once its extension handshake lists ut_xet (and ours does too). */
    private XetPeer xet;

    PeerSession(final TorrentSession torrent, final PeerConnection connection) {
        this.torrent = torrent;
        this.connection = connection;
        this.fast = connection.remoteHandshake().supportsFast();
        this.peerHas = new Bitfield(torrent.pieceCount);
        final int maxRequests = torrent.engine.config().maxRequestsPerPeer();
        this.pipeline = new RequestPipeline(Math.min(RequestPipeline.START_DEPTH, maxRequests), maxRequests);
    }

    @Override
    public int id() {
        return id;
    }

    PeerConnection connection() {
        return connection;
    }

    InetSocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    InetSocketAddress listenAddress() {
        return listenAddress;
    }

    boolean dialled() {
        return connection.isOutgoing();
    }

    double rateFromPeer() {
        return rateFromPeer;
    }

    double rateToPeer() {
        return rateToPeer;
    }

    boolean peerInterested() {
        return peerInterested;
    }

    boolean amChoking() {
        return amChoking;
    }

    @Override
    public boolean snubbed() {
        return pipeline.snubbed(System.nanoTime());
    }

    // ---------------------------------------------------------------- ChokeCandidate

    @Override
    public boolean interested() {
        return peerInterested;
    }

    @Override
    public double downloadRateToUs() {
        return rateFromPeer;
    }

    @Override
    public double uploadRateToThem() {
        return rateToPeer;
    }

    @Override
    public long connectedAtNanos() {
        return connectedAtNanos;
    }

    void start() {
        if (torrent.have.isComplete() && fast) {
            connection.sendHaveAll();
        } else if (torrent.have.cardinality() == 0 && fast) {
            connection.sendHaveNone();
        } else if (torrent.have.cardinality() > 0) {
            connection.sendBitfield(torrent.have.toBytes());
        }
        if (connection.remoteHandshake().supportsExtensions()) {
            ExtensionHandshake ours = ExtensionHandshake.ours(torrent.engine.listenPort(), MAX_PENDING_UPLOADS);
            if (torrent.xetEnabled()) {
                ours = ours.withExtension(ccbt.xet.wire.XetWireDescriptor.EXTENSION_NAME, XetPeer.OUR_ID);
            }
            connection.sendExtensionHandshake(ours);
        }
        connection.flush();
    }

    // ---------------------------------------------------------------- PeerView

    @Override
    public boolean has(final int piece) {
        return peerIsSeed || peerHas.get(piece);
    }

    @Override
    public boolean isSeed() {
        return peerIsSeed;
    }

    @Override
    public boolean isChokingUs() {
        return peerChoking;
    }

    @Override
    public boolean isAllowedFast(final int piece) {
        return allowedFast.contains(piece);
    }

    @Override
    public boolean hasOutstanding(final int piece, final int block) {
        return pipeline.contains(piece, block);
    }

    // ---------------------------------------------------------------- messages from the peer

    @Override
    public void onChoke() {
        peerChoking = true;
        // BEP 6: with the fast extension, requests stay pending until rejected; without it they are gone.
        if (!fast) {
            releaseRequests();
        }
    }

    @Override
    public void onUnchoke() {
        peerChoking = false;
        fillRequests();
    }

    @Override
    public void onInterested() {
        peerInterested = true;
        torrent.peerInterested(this);
    }

    @Override
    public void onNotInterested() {
        peerInterested = false;
    }

    @Override
    public void onHave(final int piece) {
        checkPiece(piece);
        if (!peerIsSeed && !peerHas.get(piece)) {
            peerHas.set(piece);
            torrent.picker.peerHasPiece(piece);
            if (peerHas.isComplete()) {
                becomeSeed();
            }
            if (!amInterested && torrent.downloading() && torrent.picker.needs(piece)) {
                updateInterest();
            }
        }
    }

    @Override
    public void onBitfield(final byte[] raw) {
        final Bitfield received;
        try {
            received = Bitfield.fromWire(raw, torrent.pieceCount);
        } catch (final IllegalArgumentException e) {
            throw new PeerProtocolException("bad bitfield: " + e.getMessage());
        }
        if (bitfieldSeen) {
            // aria2 announces new pieces with later bitfields instead of HAVEs: take them as HAVEs.
            for (int i = received.nextSetBit(0); i >= 0; i = received.nextSetBit(i + 1)) {
                onHave(i);
            }
            return;
        }
        bitfieldSeen = true;
        if (received.isComplete()) {
            becomeSeed();
        } else {
            for (int i = received.nextSetBit(0); i >= 0; i = received.nextSetBit(i + 1)) {
                peerHas.set(i);
                torrent.picker.peerHasPiece(i);
            }
            torrent.peerMayWant(this);
        }
        updateInterest();
    }

    @Override
    public void onHaveAll() {
        requireFast("have all");
        bitfieldSeen = true;
        becomeSeed();
        updateInterest();
    }

    @Override
    public void onHaveNone() {
        requireFast("have none");
        bitfieldSeen = true;
        torrent.peerMayWant(this);
    }

    private void becomeSeed() {
        if (peerIsSeed) {
            return;
        }
        for (int i = peerHas.nextSetBit(0); i >= 0; i = peerHas.nextSetBit(i + 1)) {
            torrent.picker.peerLostPiece(i);
        }
        peerIsSeed = true;
        torrent.picker.peerHasAll();
        if (!amChoking && !peerInterested) {
            choke(); // unchoked early (TorrentSession.peerMayWant) but wants nothing: give the slot back
        }
    }

    @Override
    public void onRequest(final int piece, final int begin, final int length) {
        checkBlock(piece, begin, length);
        if (amChoking || !torrent.canServe(piece) || !uploads.offer(piece, begin, length)) {
            if (fast) {
                connection.sendReject(piece, begin, length);
            }
            return;
        }
        serve();
    }

    @Override
    public void onCancel(final int piece, final int begin, final int length) {
        if (uploads.remove(piece, begin, length) && fast) {
            // BEP 6: a cancelled request is answered with a reject so the peer's accounting stays exact.
            connection.sendReject(piece, begin, length);
        }
    }

    @Override
    public void onPiece(final int piece, final int begin, final ByteBuf block) {
        checkPiece(piece);
        if (begin % TorrentSession.BLOCK != 0) {
            torrent.engine.metrics().counter("ccbt_unrequested_blocks_total", "Blocks nobody asked for").inc();
            return;
        }
        final int blockIndex = begin / TorrentSession.BLOCK;
        final int length = block.readableBytes();
        if (blockIndex >= TorrentSession.blockCount(torrent.layout.pieceLength(piece))
            || length != torrent.blockLength(piece, blockIndex)) {
            throw new PeerProtocolException("block of wrong size: piece=" + piece + " begin=" + begin
                + " length=" + length);
        }
        final long now = System.nanoTime();
        if (!pipeline.remove(piece, blockIndex, now)) {
            torrent.engine.metrics().counter("ccbt_unrequested_blocks_total", "Blocks nobody asked for").inc();
            return;
        }
        downloadedFromPeer += length;
        torrent.engine.downloadedBytes().add(length);
        torrent.blockArrived(this, piece, blockIndex, block);
        // Requests are refilled once per socket read (onReadComplete), not once per block: one pick and
        // one batch of requests for the several blocks a read usually brings.
        refill = true;
    }

    @Override
    public void onReadComplete() {
        if (refill) {
            refill = false;
            fillRequests();
        }
    }

    @Override
    public void onReject(final int piece, final int begin, final int length) {
        requireFast("reject");
        checkPiece(piece);
        final int block = begin / TorrentSession.BLOCK;
        if (pipeline.cancel(piece, block)) {
            torrent.requestDropped(piece, block);
        }
    }

    @Override
    public void onSuggest(final int piece) {
        requireFast("suggest");
        checkPiece(piece);
    }

    @Override
    public void onAllowedFast(final int piece) {
        requireFast("allowed fast");
        checkPiece(piece);
        if (allowedFast.size() < 64) {
            allowedFast.add(piece);
            fillRequests();
        }
    }

    @Override
    public void onExtensionHandshake(final ExtensionHandshake hs) {
        if (hs.reqq() > 0) {
            pipeline.setPeerLimit(hs.reqq());
        }
        final InetSocketAddress remote = remoteAddress();
        if (hs.port() > 0 && remote != null) {
            listenAddress = new InetSocketAddress(remote.getAddress(), hs.port());
        }
        final Integer xetId = hs.extensions().get(ccbt.xet.wire.XetWireDescriptor.EXTENSION_NAME);
        // BEP 10: an id of 0 says the peer does not speak that extension.
        if (xetId != null && xetId > 0 && xet == null && torrent.xetEnabled()) {
            xet = new XetPeer(torrent, this, connection, xetId, torrent.xetFetch);
            if (torrent.xetFetch != null) {
                torrent.xetFetch.peerReady(xet);
            }
        }
        if (!bitfieldSeen) {
            // BEP 3 lets a peer with no pieces skip the bitfield (transmission's leecher does): so far it has none.
            torrent.peerMayWant(this);
        }
    }

    /** The peer's ut_xet side, or null if either of us does not speak ut_xet. */
    XetPeer xet() {
        return xet;
    }

    @Override
    public void onExtended(final int extendedId, final ByteBuf payload) {
        if (extendedId == XetPeer.OUR_ID && torrent.xetEnabled()) {
            if (xet == null) {
                throw new PeerProtocolException("ut_xet message from a peer whose extension handshake did not list "
                    + ccbt.xet.wire.XetWireDescriptor.EXTENSION_NAME + " with a nonzero id");
            }
            xet.onMessage(payload);
        }
        // Other ids: extensions we did not advertise; ignored.
    }

    @Override
    public void onPort(final int port) {
        // DHT is not enabled; the port is noted nowhere.
    }

    @Override
    public void onKeepAlive() {
    }

    @Override
    public void onWritabilityChanged(final boolean writable) {
        if (writable) {
            serve();
        }
    }

    @Override
    public void onClosed(final Throwable cause) {
        torrent.peerGone(this);
    }

    private void requireFast(final String message) {
        if (!fast) {
            throw new PeerProtocolException(message + " without the fast extension");
        }
    }

    private void checkPiece(final int piece) {
        if (piece < 0 || piece >= torrent.pieceCount) {
            throw new PeerProtocolException("piece index " + piece + " out of range 0.." + (torrent.pieceCount - 1));
        }
    }

    private void checkBlock(final int piece, final int begin, final int length) {
        checkPiece(piece);
        final int pieceLength = torrent.layout.pieceLength(piece);
        if (length <= 0 || length > TorrentSession.MAX_REQUEST || begin < 0 || begin > pieceLength - length) {
            throw new PeerProtocolException("bad request piece=" + piece + " begin=" + begin + " length=" + length);
        }
    }

    // ---------------------------------------------------------------- our side

    void updateInterest() {
        final boolean want = torrent.downloading() && torrent.picker.isInteresting(this);
        if (want && !amInterested) {
            amInterested = true;
            connection.sendInterested();
            fillRequests();
            connection.flush();
        } else if (!want && amInterested && pipeline.outstanding() == 0) {
            amInterested = false;
            connection.sendNotInterested();
            connection.flush();
        }
    }

    void fillRequests() {
        if (peerChoking || !amInterested || !torrent.downloading()) {
            return;
        }
        int room = pipeline.room();
        final ccbt.pipeline.rate.RateLimiter limit = torrent.engine.downloadLimit();
        if (!limit.isUnlimited()) {
            int granted = 0;
            while (granted < room && limit.tryAcquire(TorrentSession.BLOCK)) {
                granted++;
            }
            room = granted;
        }
        if (room <= 0) {
            return;
        }
        final int n = torrent.pickFor(this, Math.min(room, picked.length), picked);
        final long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            final int piece = (int) (picked[i] >>> 32);
            final int block = (int) picked[i];
            connection.sendRequest(piece, block * TorrentSession.BLOCK, torrent.blockLength(piece, block));
            pipeline.add(piece, block, now);
        }
        if (n > 0) {
            lastSentNanos = now;
        }
    }

    void cancelIfRequested(final int piece, final int block) {
        if (pipeline.cancel(piece, block)) {
            connection.sendCancel(piece, block * TorrentSession.BLOCK, torrent.blockLength(piece, block));
        }
    }

    void pieceCompleted(final int piece) {
        connection.sendHave(piece);
        lastSentNanos = System.nanoTime();
        if (amInterested && !torrent.downloading()) {
            updateInterest();
        }
        connection.flush();
    }

    void choke() {
        if (!amChoking) {
            amChoking = true;
            connection.sendChoke();
            if (fast) {
                uploads.rejectAll(connection);
            } else {
                uploads.clear();
            }
            connection.flush();
        }
    }

    void unchoke() {
        if (amChoking) {
            amChoking = false;
            connection.sendUnchoke();
            connection.flush();
        }
    }

    /** Gives every outstanding request back to the picker (disconnect or choke without fast). */
    void releaseRequests() {
        pipeline.drain((piece, block) -> torrent.requestDropped(piece, block));
    }

    void releaseAvailability() {
        if (peerIsSeed) {
            torrent.picker.peerRemovedSeed();
        } else {
            for (int i = peerHas.nextSetBit(0); i >= 0; i = peerHas.nextSetBit(i + 1)) {
                torrent.picker.peerLostPiece(i);
            }
        }
    }

    void tick(final long now) {
        serve();
        final int n = pipeline.expire(now, torrent.engine.config().requestTimeout().toNanos(), expired);
        for (int i = 0; i < n; i++) {
            torrent.requestDropped((int) (expired[i] >>> 32), (int) expired[i]);
        }
        if (now - rateMark >= TimeUnit.SECONDS.toNanos(1)) {
            final double seconds = (now - rateMark) / 1e9;
            rateFromPeer = rateMark == 0 ? 0 : downloadedFromPeer / seconds;
            rateToPeer = rateMark == 0 ? 0 : uploadedToPeer / seconds;
            downloadedFromPeer = 0;
            uploadedToPeer = 0;
            rateMark = now;
        }
        if (n > 0 || !amInterested) {
            updateInterest();
        }
        fillRequests();
        if (now - lastSentNanos > TimeUnit.SECONDS.toNanos(90)) {
            connection.sendKeepAlive();
            lastSentNanos = now;
        }
        connection.flush();
    }

    /**
     * Serves pending requests: reads a batch from disk on the disk executor, then sends it from the
     * event loop. One batch per peer in flight; stops while the socket is not writable.
     */
    void serve() {
        if (serving || uploads.isEmpty() || !connection.isWritable()) {
            return;
        }
        int allowed = Math.min(SERVE_BATCH, uploads.size());
        final ccbt.pipeline.rate.RateLimiter limit = torrent.engine.uploadLimit();
        if (!limit.isUnlimited()) {
            int granted = 0;
            while (granted < allowed && limit.tryAcquire(uploads.lengthAt(granted))) {
                granted++;
            }
            allowed = granted;
            if (allowed == 0) {
                return; // over the upload limit: the next tick tries again
            }
        }
        allowed -= sendZeroCopy(allowed);
        if (allowed == 0) {
            return;
        }
        serving = true;
        final int count = allowed;
        final int[] batch = uploads.take(count);
        torrent.engine.diskExecutor().execute(() -> {
            final ByteBuf[] blocks = new ByteBuf[count];
            Throwable failure = null;
            for (int i = 0; i < count && failure == null; i++) {
                final int piece = batch[i * 3];
                final int begin = batch[i * 3 + 1];
                final int length = batch[i * 3 + 2];
                final ByteBuf buf = connection.alloc().directBuffer(length, length);
                try {
                    torrent.store.readBlock(piece, begin, buf.nioBuffer(0, length));
                    buf.writerIndex(length);
                    blocks[i] = buf;
                } catch (final RuntimeException e) {
                    buf.release();
                    failure = e;
                }
            }
            final Throwable readFailure = failure;
            torrent.loop.execute(() -> sendServed(batch, blocks, readFailure));
        });
    }

    /**
     * Sends queued blocks that lie within one file straight from the file (sendfile where the transport
     * has it), up to {@code max}; stops at the first block that spans files, which goes the buffered way.
     * Returns how many were sent.
     */
    private int sendZeroCopy(final int max) {
        int sent = 0;
        while (sent < max && !uploads.isEmpty() && connection.isWritable()) {
            final io.netty.channel.FileRegion region = torrent.fileRegion(uploads.pieceAt(0), uploads.beginAt(0),
                uploads.lengthAt(0));
            if (region == null) {
                break;
            }
            final int[] one = uploads.take(1);
            connection.sendPiece(one[0], one[1], region);
            uploadedToPeer += one[2];
            torrent.uploaded(one[2]);
            torrent.engine.uploadedBytes().add(one[2]);
            torrent.engine.uploadedFromFiles().add(one[2]);
            sent++;
        }
        if (sent > 0) {
            lastSentNanos = System.nanoTime();
            connection.flush();
            if (!uploads.isEmpty() && connection.isWritable()) {
                // More is queued: come back after the loop's other work, as the buffered path does.
                torrent.loop.execute(this::serve);
            }
        }
        return sent;
    }

    private void sendServed(final int[] batch, final ByteBuf[] blocks, final Throwable failure) {
        serving = false;
        for (int i = 0; i < blocks.length; i++) {
            final ByteBuf buf = blocks[i];
            if (buf == null) {
                continue;
            }
            if (amChoking || !connection.isOpen()) {
                buf.release();
                continue;
            }
            final int length = buf.readableBytes();
            connection.sendPiece(batch[i * 3], batch[i * 3 + 1], buf);
            uploadedToPeer += length;
            torrent.uploaded(length);
            torrent.engine.uploadedBytes().add(length);
        }
        lastSentNanos = System.nanoTime();
        connection.flush();
        if (failure != null) {
            connection.close("cannot read block from disk: " + failure.getMessage());
            return;
        }
        serve();
    }
}
