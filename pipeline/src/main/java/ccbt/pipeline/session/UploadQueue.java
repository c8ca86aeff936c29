package ccbt.pipeline.session;

import ccbt.io.wire.PeerConnection;

/**
 * A peer's pending requests to us, in arrival order: a ring of (piece, begin, length) triples in one int
 * array, so queuing a request allocates nothing.
 */
final class UploadQueue {
    private final int[] entries;
    private final int capacity;
    private int head;
    private int size;

    UploadQueue(final int capacity) {
        this.capacity = capacity;
        this.entries = new int[capacity * 3];
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** Queues a request; false when full. */
    boolean offer(final int piece, final int begin, final int length) {
        if (size == capacity) {
            return false;
        }
        final int at = ((head + size) % capacity) * 3;
        entries[at] = piece;
        entries[at + 1] = begin;
        entries[at + 2] = length;
        size++;
        return true;
    }

    /** The piece of the {@code i}-th oldest queued request. */
    int pieceAt(final int i) {
        return entries[((head + i) % capacity) * 3];
    }

    /** The offset in its piece of the {@code i}-th oldest queued request. */
    int beginAt(final int i) {
        return entries[((head + i) % capacity) * 3 + 1];
    }

    /** The length of the {@code i}-th oldest queued request. */
    int lengthAt(final int i) {
        return entries[((head + i) % capacity) * 3 + 2];
    }

    /** Removes the oldest {@code count} requests into a new array of triples. */
    int[] take(final int count) {
        final int[] out = new int[count * 3];
        for (int i = 0; i < count; i++) {
            final int at = head * 3;
            out[i * 3] = entries[at];
            out[i * 3 + 1] = entries[at + 1];
            out[i * 3 + 2] = entries[at + 2];
            head = (head + 1) % capacity;
            size--;
        }
        return out;
    }

    /** Removes one queued request; true if it was queued. */
    boolean remove(final int piece, final int begin, final int length) {
        final int index = indexOf(piece, begin, length);
        if (index < 0) {
            return false;
        }
        for (int i = index; i < size - 1; i++) {
            final int to = ((head + i) % capacity) * 3;
            final int from = ((head + i + 1) % capacity) * 3;
            entries[to] = entries[from];
            entries[to + 1] = entries[from + 1];
            entries[to + 2] = entries[from + 2];
        }
        size--;
        return true;
    }

    /** Rejects every queued request (BEP 6, on choke) and empties the queue. */
    void rejectAll(final PeerConnection connection) {
        for (int i = 0; i < size; i++) {
            final int at = ((head + i) % capacity) * 3;
            connection.sendReject(entries[at], entries[at + 1], entries[at + 2]);
        }
        clear();
    }

    void clear() {
        head = 0;
        size = 0;
    }

    private int indexOf(final int piece, final int begin, final int length) {
        for (int i = 0; i < size; i++) {
            final int at = ((head + i) % capacity) * 3;
            if (entries[at] == piece && entries[at + 1] == begin && entries[at + 2] == length) {
                return i;
            }
        }
        return -1;
    }
}
