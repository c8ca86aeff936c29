package ccbt.pipeline.session;

import ccbt.io.wire.PeerConnection;
import ccbt.io.wire.PeerProtocolException;
import ccbt.pipeline.xet.ChunkCatalog;
import ccbt.xet.format.ChunkList;
import ccbt.xet.hash.XetHash;
import ccbt.xet.wire.XetMessageDecoder;
import ccbt.xet.wire.XetMessageEncoder;
import ccbt.xet.wire.XetPeerRequests;
import ccbt.xet.wire.XetRequestTracker;
import ccbt.xet.wire.XetServeLimiter;
import ccbt.xet.wire.XetWireDescriptor;
import ccbt.xet.wire.XetWireException;
import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The {@code ut_xet} side of one peer connection (docs/xet.md): decodes the peer's messages in place, serves
 * its requests from the torrent's {@link ChunkCatalog} and sends our requests for the torrent's
 * {@link XetFetch}. A message that breaks the protocol closes the connection with the decoder's reason; a
 * chunk or chunk list that fails verification also counts against the peer like a piece failing its hash.
 * Runs on the torrent's event loop; disk reads for serving go to the disk executor.
 */
final class XetPeer {
    /** The extended-message id we ask peers to use for {@code ut_xet} (BEP 10 {@code m} dictionary). */
    static final int OUR_ID = 1;
    /** A request the peer leaves unanswered this long is asked of another peer. */
    static final long REQUEST_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);

    private final TorrentSession torrent;
    private final PeerSession peer;
    private final PeerConnection connection;
    private final int remoteId;
    private final XetMessageDecoder decoder = new XetMessageDecoder();
    private final XetServeLimiter limiter = new XetServeLimiter(XetServeLimiter.DEFAULT_MAX_IN_PROGRESS);
    private final XetPeerRequests requests;

    private final XetFetch fetch;

    /** {@code fetch} is the torrent's Xet download, or null when it has nothing to fetch (serving only). */
    XetPeer(final TorrentSession torrent, final PeerSession peer, final PeerConnection connection, final int remoteId,
            final XetFetch fetch) {
        this.torrent = torrent;
        this.peer = peer;
        this.connection = connection;
        this.remoteId = remoteId;
        this.fetch = fetch;
        this.requests = new XetPeerRequests(
            new XetRequestTracker(XetRequestTracker.DEFAULT_MAX_OUTSTANDING, REQUEST_TIMEOUT_NANOS),
            fetch != null ? fetch : IGNORE);
    }

    /** For a torrent that fetches nothing: it sends no requests, so no answer can reach this. */
    private static final XetPeerRequests.Listener IGNORE = new XetPeerRequests.Listener() {
        @Override
        public void chunk(final int requestId, final XetHash hash, final ByteBuffer buffer, final int offset,
                          final int length) {
        }

        @Override
        public void chunkList(final int fileIndex, final ChunkList list) {
        }

        @Override
        public void chunkListIncomplete(final int fileIndex, final int nextOffset) {
        }

        @Override
        public void refused(final int requestId, final XetHash hash, final int fileIndex, final int code,
                            final String message) {
        }
    };

    int id() {
        return peer.id();
    }

    PeerSession peer() {
        return peer;
    }

    boolean isOpen() {
        return connection.isOpen();
    }

    XetPeerRequests requests() {
        return requests;
    }

    // ---------------------------------------------------------------- requests we send

    void requestChunk(final XetHash hash) {
        final int id = requests.requestChunk(hash, System.nanoTime());
        final byte[] out = new byte[XetWireDescriptor.CHUNK_REQUEST_LENGTH];
        XetMessageEncoder.chunkRequest(ByteBuffer.wrap(out), 0, id, hash);
        connection.sendExtended(remoteId, out);
    }

    void requestChunkList(final int file, final XetHash fileHash, final long fileLength) {
        final int id = requests.requestChunkList(file, fileHash, fileLength, System.nanoTime());
        final byte[] out = new byte[XetWireDescriptor.CHUNK_LIST_REQUEST_LENGTH];
        XetMessageEncoder.chunkListRequest(ByteBuffer.wrap(out), 0, id, file, requests.listOffset(file));
        connection.sendExtended(remoteId, out);
    }

    // ---------------------------------------------------------------- messages from the peer

    /** One {@code ut_xet} message (the payload after our extended id). */
    void onMessage(final ByteBuf payload) {
        final ByteBuffer buffer = payload.nioBuffer(payload.readerIndex(), payload.readableBytes());
        final XetMessageDecoder m;
        try {
            m = decoder.wrap(buffer, buffer.position(), buffer.remaining());
        } catch (final XetWireException e) {
            final int type = buffer.remaining() > 0 ? buffer.get(buffer.position()) & 0xFF : 0;
            if (type == XetWireDescriptor.CHUNK_RESPONSE || type == XetWireDescriptor.CHUNK_LIST_RESPONSE) {
                torrent.xetBadData(this, e.getMessage()); // an oversized chunk or list: as bad as a wrong one
            }
            throw new PeerProtocolException("ut_xet: " + e.getMessage());
        }
        switch (m.type()) {
            case XetWireDescriptor.CHUNK_REQUEST -> serveChunk(m.requestId(), m.chunkHash());
            case XetWireDescriptor.CHUNK_LIST_REQUEST -> serveList(m.requestId(), m.fileIndex(), m.listRequestOffset());
            default -> onResponse(m);
        }
    }

    private void onResponse(final XetMessageDecoder m) {
        try {
            requests.tracker().kindOf(m.requestId());
        } catch (final XetWireException late) {
            // An answer to a request that timed out (and was asked elsewhere) is not the peer's fault.
            torrent.engine.metrics().counter("ccbt_xet_unrequested_responses_total",
                "ut_xet responses to requests no longer outstanding").inc();
            return;
        }
        if (fetch != null) {
            fetch.responding(this);
        }
        try {
            requests.onResponse(m);
        } catch (final XetWireException e) {
            torrent.xetBadData(this, e.getMessage());
            throw new PeerProtocolException("ut_xet: " + e.getMessage());
        } finally {
            if (fetch != null) {
                fetch.responding(null);
            }
        }
    }

    /** Retires requests that timed out, reporting each to {@code sink}. */
    void expire(final long now, final XetRequestTracker.TimeoutSink sink) {
        requests.expire(now, sink);
    }

    // ---------------------------------------------------------------- serving

    private void serveChunk(final int requestId, final XetHash hash) {
        final ChunkCatalog catalog = torrent.catalog;
        final ChunkCatalog.Location at = catalog == null ? null : catalog.find(hash);
        // Only chunks of this torrent whose pieces we have verified: never another torrent's data.
        if (at == null || !torrent.hasRange(torrent.layout.fileOffset(at.file()) + at.offset(), at.length())) {
            sendSmall(requestId, XetWireDescriptor.CHUNK_NOT_FOUND, null);
            return;
        }
        // A peer that does not read what we send gets "busy", not an ever longer send queue.
        if (!connection.isWritable() || !limiter.tryStart()) {
            sendSmall(requestId, XetWireDescriptor.CHUNK_ERROR, "busy");
            return;
        }
        final ccbt.pipeline.rate.RateLimiter limit = torrent.engine.uploadLimit();
        if (!limit.isUnlimited() && !limit.tryAcquire(at.length())) {
            limiter.finish();
            sendSmall(requestId, XetWireDescriptor.CHUNK_ERROR, "busy");
            return;
        }
        final long abs = torrent.layout.fileOffset(at.file()) + at.offset();
        final int length = at.length();
        final int total = XetWireDescriptor.chunkResponseLength(length);
        final ByteBuf out = connection.alloc().directBuffer(total, total);
        torrent.xetDiskTask(() -> {
            Throwable failure = null;
            try {
                final ByteBuffer nio = out.nioBuffer(0, total);
                XetMessageEncoder.chunkResponseHeader(nio, 0, requestId, hash, length);
                final ByteBuffer data = out.nioBuffer(XetWireDescriptor.CHUNK_DATA_OFFSET, length);
                if (torrent.store.read(abs, data) != length) {
                    throw new IllegalStateException("short read of " + length + " bytes at " + abs);
                }
                out.writerIndex(total);
            } catch (final RuntimeException e) {
                failure = e;
            }
            final Throwable readFailure = failure;
            return () -> {
                limiter.finish();
                if (readFailure != null || !connection.isOpen()) {
                    out.release();
                    if (readFailure != null && connection.isOpen()) {
                        sendSmall(requestId, XetWireDescriptor.CHUNK_ERROR, "cannot read the chunk");
                    }
                    return;
                }
                connection.sendExtended(remoteId, out);
                connection.flush();
                torrent.xetServed(length);
            };
        });
    }

    private void serveList(final int requestId, final int file, final int offset) {
        if (file < 0 || file >= torrent.layout.fileCount()) {
            sendSmall(requestId, XetWireDescriptor.CHUNK_ERROR, "no file " + file);
            return;
        }
        final ChunkList known = torrent.catalog == null ? null : torrent.catalog.list(file);
        if (known == null) {
            sendSmall(requestId, XetWireDescriptor.CHUNK_NOT_FOUND, null);
            return;
        }
        if (!connection.isWritable()) {
            sendSmall(requestId, XetWireDescriptor.CHUNK_ERROR, "busy");
            return;
        }
        final byte[] list = torrent.catalog.serializedList(file);
        final int fragment = XetMessageEncoder.fragmentLength(list.length, offset);
        if (fragment == 0) {
            sendSmall(requestId, XetWireDescriptor.CHUNK_ERROR, "list offset " + Integer.toUnsignedString(offset)
                + " is past the " + list.length + "-byte list");
            return;
        }
        final int total = XetWireDescriptor.chunkListResponseLength(fragment);
        final ByteBuf out = connection.alloc().heapBuffer(total, total);
        XetMessageEncoder.chunkListResponse(out.nioBuffer(0, total), 0, requestId, file, list, offset, fragment);
        out.writerIndex(total);
        connection.sendExtended(remoteId, out);
        connection.flush();
    }

    private void sendSmall(final int requestId, final int type, final String error) {
        final byte[] out;
        if (type == XetWireDescriptor.CHUNK_NOT_FOUND) {
            out = new byte[XetWireDescriptor.CHUNK_NOT_FOUND_LENGTH];
            XetMessageEncoder.chunkNotFound(ByteBuffer.wrap(out), 0, requestId);
        } else {
            final int code = error.startsWith("busy") ? XetWireDescriptor.ERROR_BUSY
                : error.startsWith("cannot") ? XetWireDescriptor.ERROR_INTERNAL : XetWireDescriptor.ERROR_BAD_REQUEST;
            final byte[] big = new byte[XetWireDescriptor.chunkErrorLength(XetWireDescriptor.MAX_ERROR_MESSAGE_LENGTH)];
            final int n = XetMessageEncoder.chunkError(ByteBuffer.wrap(big), 0, requestId, code, error);
            out = java.util.Arrays.copyOf(big, n);
        }
        connection.sendExtended(remoteId, out);
        connection.flush();
    }

    /** The connection closed: our requests are retired (the fetch asks elsewhere). */
    void closed() {
        requests.clear();
    }
}
