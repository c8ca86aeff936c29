package ccbt.xet.wire;

import ccbt.xet.format.ChunkList;
import ccbt.xet.hash.XetHash;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Our side of the {@code ut_xet} exchange with one peer: the requests we send and what comes back. It ties
 * the {@link XetRequestTracker} (ids, bound, timeouts), the {@link XetChunkVerifier} and one
 * {@link XetChunkListAssembler} per file together, so that the listener only ever sees verified chunks and
 * verified, complete chunk lists. A protocol error is thrown as {@link XetWireException}: the caller drops
 * the peer, as for a bad piece. The caller encodes and sends the messages (with {@link XetMessageEncoder});
 * this class holds no buffers and does no I/O. Not thread-safe: use it on the peer's event loop.
 */
public final class XetPeerRequests {
    /** What the peer's responses amount to. Chunk bytes are valid only during the call. */
    public interface Listener {
        /** A chunk we asked for, verified against its hash: {@code buffer[offset, offset + length)}. */
        void chunk(int requestId, XetHash hash, ByteBuffer buffer, int offset, int length);

        /** The complete chunk list of file {@code fileIndex}, verified against the file's Xet hash. */
        void chunkList(int fileIndex, ChunkList list);

        /** Part of file {@code fileIndex}'s list is in: request it again ({@link #requestChunkList}) for the rest. */
        void chunkListIncomplete(int fileIndex, int nextOffset);

        /**
         * The peer does not have what request {@code requestId} asked for (CHUNK_NOT_FOUND, {@code code} 0) or
         * could not serve it (CHUNK_ERROR with {@code code} and {@code message}). {@code hash} is the chunk
         * asked for, or null for a chunk list of file {@code fileIndex} (-1 for a chunk).
         */
        void refused(int requestId, XetHash hash, int fileIndex, int code, String message);
    }

    private final XetRequestTracker tracker;
    private final XetChunkVerifier verifier = new XetChunkVerifier();
    private final Map<Integer, XetChunkListAssembler> lists = new HashMap<>();
    /** Files with a chunk-list request in flight: one at a time, since each asks for the next offset. */
    private final Set<Integer> listsInFlight = new HashSet<>();
    private final Listener listener;

    public XetPeerRequests(final XetRequestTracker tracker, final Listener listener) {
        this.tracker = tracker;
        this.listener = listener;
    }

    /** The tracker (for {@code canRequest()} and {@code outstanding()}; expire through {@link #expire}). */
    public XetRequestTracker tracker() {
        return tracker;
    }

    /** Records a request for chunk {@code hash}; send CHUNK_REQUEST with the returned id. */
    public int requestChunk(final XetHash hash, final long nowNanos) {
        return tracker.requestChunk(hash, nowNanos);
    }

    /**
     * Records a request for (the next fragment of) file {@code fileIndex}'s chunk list; send
     * CHUNK_LIST_REQUEST with the returned id and {@link #listOffset(int)}. {@code fileHash} and
     * {@code fileLength} come from the torrent; they are used when the file's first request is made.
     *
     * @throws IllegalStateException if a request for this file's list is already in flight (wait for its
     *     answer: the next request must ask for the offset that answer reaches)
     */
    public int requestChunkList(final int fileIndex, final XetHash fileHash, final long fileLength, final long nowNanos) {
        if (listsInFlight.contains(fileIndex)) {
            throw new IllegalStateException("a chunk list request for file " + fileIndex + " is already in flight");
        }
        final int id = tracker.requestChunkList(fileIndex, nowNanos);
        listsInFlight.add(fileIndex);
        lists.computeIfAbsent(fileIndex, i -> new XetChunkListAssembler(i, fileHash, fileLength));
        return id;
    }

    /**
     * Retires the requests that timed out by {@code nowNanos} (see {@link XetRequestTracker#expire}); a chunk
     * list collected in part keeps what it has, so a new request continues from there.
     */
    public int expire(final long nowNanos, final XetRequestTracker.TimeoutSink sink) {
        return tracker.expire(nowNanos, (id, kind, hash, fileIndex) -> {
            if (kind == XetRequestTracker.KIND_CHUNK_LIST) {
                listsInFlight.remove(fileIndex);
            }
            sink.timedOut(id, kind, hash, fileIndex);
        });
    }

    /** The byte offset to ask for in file {@code fileIndex}'s next CHUNK_LIST_REQUEST (0 if none is under way). */
    public int listOffset(final int fileIndex) {
        final XetChunkListAssembler a = lists.get(fileIndex);
        return a == null ? 0 : a.nextOffset();
    }

    /**
     * Handles one decoded response from the peer.
     *
     * @throws XetWireException if it answers nothing we asked, answers it with the wrong kind, carries a bad
     *     chunk, or completes a chunk list that does not verify (the list is then dropped)
     * @throws IllegalArgumentException if {@code message} is a request (those go to the serving side)
     */
    public void onResponse(final XetMessageDecoder message) {
        final int id = message.requestId();
        switch (message.type()) {
            case XetWireDescriptor.CHUNK_RESPONSE -> {
                final XetHash requested = tracker.takeChunk(id);
                verifier.verifyResponse(message, requested);
                listener.chunk(id, requested, message.buffer(), message.chunkDataOffset(), message.chunkDataLength());
            }
            case XetWireDescriptor.CHUNK_LIST_RESPONSE -> {
                final int file = tracker.takeChunkList(id);
                listsInFlight.remove(file);
                final XetChunkListAssembler a = lists.get(file); // present: created with the request
                final ChunkList list;
                try {
                    list = a.accept(message);
                } catch (final XetWireException e) {
                    lists.remove(file);
                    throw e;
                }
                if (list != null) {
                    lists.remove(file);
                    listener.chunkList(file, list);
                } else {
                    listener.chunkListIncomplete(file, a.nextOffset());
                }
            }
            case XetWireDescriptor.CHUNK_NOT_FOUND -> refused(id, 0, "");
            case XetWireDescriptor.CHUNK_ERROR -> refused(id, message.errorCode(), message.errorMessage());
            default -> throw new IllegalArgumentException("not a response: " + message);
        }
    }

    private void refused(final int id, final int code, final String text) {
        if (tracker.kindOf(id) == XetRequestTracker.KIND_CHUNK) {
            listener.refused(id, tracker.takeChunk(id), -1, code, text);
        } else {
            final int file = tracker.takeChunkList(id);
            listsInFlight.remove(file);
            lists.remove(file); // a partial list from this peer is of no use without the rest
            listener.refused(id, null, file, code, text);
        }
    }

    /** Forgets everything (the connection closed); partial chunk lists are dropped. */
    public void clear() {
        tracker.clear();
        lists.clear();
        listsInFlight.clear();
    }
}
