package ccbt.store;

import ccbt.core.Bitfield;
import ccbt.core.DirectBuffers;
import ccbt.core.hash.Sha1;
import ccbt.core.hash.Sha1Pair;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.LongConsumer;
import org.agrona.BufferUtil;

/**
 * Verifies pieces on disk against their v1 SHA-1 hashes. Read-only: it never creates or extends a file;
 * pieces touching a missing, short or unreadable file fail. Each worker thread takes a contiguous range
 * of pieces and streams it sequentially through one large direct buffer, so the disk sees long reads
 * and the hash reads the buffer where it lies; the buffer is cache-aligned ({@link DirectBuffers}). Where
 * {@link Sha1Pair} is available a worker hashes two pieces at once: the first and the second half of each run
 * of wanted pieces, each half read sequentially into its half of the buffer; other pieces go through {@link Sha1}.
 */
public final class Recheck {
    /** Read size per worker: long sequential reads, small enough for many parallel rechecks. */
    static final int BUFFER_BYTES = 4 << 20;
    /** Each half of the buffer, when hashing pairs, holds whole cache lines and whole SHA-1 blocks. */
    private static final int PAIR_ALIGNMENT = 64;

    private Recheck() {
    }

    /**
     * Hashes the pieces of {@code toCheck} (all pieces if null) and returns those whose SHA-1 matches.
     *
     * @param pieceHashes   the metainfo's {@code pieces}: 20 bytes per piece, concatenated
     * @param threads       worker threads (1 runs on the caller's thread)
     * @param progressBytes told the length of each piece once it is checked, from the worker threads
     *                      (so it must be thread-safe); may be null
     */
    public static Bitfield check(final Path root, final FileLayout layout, final byte[] pieceHashes,
                                 final Bitfield toCheck, final int threads, final LongConsumer progressBytes) {
        final int pieces = layout.pieceCount();
        if (pieceHashes.length != Sha1.LENGTH * pieces) {
            throw new IllegalArgumentException("piece hashes are " + pieceHashes.length + " bytes, expected "
                    + Sha1.LENGTH * pieces + " for " + pieces + " pieces");
        }
        if (toCheck != null && toCheck.size() != pieces) {
            throw new IllegalArgumentException("toCheck has " + toCheck.size() + " pieces, layout " + pieces);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads + " must be at least 1");
        }
        final Bitfield wanted = toCheck != null ? toCheck : all(pieces);
        final Path[] paths = PieceStore.resolveAll(root.toAbsolutePath().normalize(), layout);
        final LongConsumer progress = progressBytes != null ? progressBytes : n -> { };

        // Split the pieces to check into contiguous ranges holding about the same number of them.
        final int total = wanted.cardinality();
        final int workers = Math.max(1, Math.min(threads, total));
        final Worker[] ws = new Worker[workers];
        int from = 0;
        for (int w = 0; w < workers; w++) {
            int to = from;
            int count = 0;
            final int share = (int) ((long) total * (w + 1) / workers - (long) total * w / workers);
            while (to < pieces && count < share) {
                if (wanted.get(to)) {
                    count++;
                }
                to++;
            }
            if (w == workers - 1) {
                to = pieces;
            }
            ws[w] = new Worker(layout, paths, pieceHashes, wanted, from, to, progress);
            from = to;
        }
        if (workers == 1) {
            ws[0].run();
        } else {
            final Thread[] ts = new Thread[workers];
            for (int w = 0; w < workers; w++) {
                ts[w] = Thread.ofPlatform().daemon().name("ccbt-recheck-" + w).start(ws[w]);
            }
            try {
                for (final Thread t : ts) {
                    t.join();
                }
            } catch (final InterruptedException e) {
                for (final Thread t : ts) {
                    t.interrupt();
                }
                Thread.currentThread().interrupt();
                throw new StoreException("recheck of " + root + " interrupted", root, e);
            }
        }
        final Bitfield good = new Bitfield(pieces);
        for (final Worker w : ws) {
            if (w.failure != null) {
                throw w.failure;
            }
            for (int p = w.good.nextSetBit(0); p >= 0; p = w.good.nextSetBit(p + 1)) {
                good.set(p);
            }
        }
        return good;
    }

    private static Bitfield all(final int pieces) {
        final Bitfield b = new Bitfield(pieces);
        b.setAll();
        return b;
    }

    /** Checks the wanted pieces in {@code [from, to)}; results in {@link #good}, confined to its thread until joined. */
    private static final class Worker implements Runnable {
        private final FileLayout layout;
        private final Path[] paths;
        private final byte[] hashes;
        private final Bitfield wanted;
        private final int from;
        private final int to;
        private final LongConsumer progress;
        private final FileChannel[] channels;
        private final boolean[] unreadable;
        final Bitfield good;
        private Sha1 sha1;
        /** The two digests of a pair. */
        private final byte[] digests = new byte[2 * Sha1.LENGTH];
        volatile RuntimeException failure;

        Worker(final FileLayout layout, final Path[] paths, final byte[] hashes, final Bitfield wanted,
               final int from, final int to, final LongConsumer progress) {
            this.layout = layout;
            this.paths = paths;
            this.hashes = hashes;
            // Bitfield is not thread-safe for writers; workers only read it, after a happens-before (thread start).
            this.wanted = wanted;
            this.from = from;
            this.to = to;
            this.progress = progress;
            this.channels = new FileChannel[paths.length];
            this.unreadable = new boolean[paths.length];
            this.good = new Bitfield(layout.pieceCount());
        }

        @Override
        public void run() {
            try {
                final Sha1Pair pair = Sha1Pair.isAvailable() ? Sha1Pair.create() : null;
                final long rangeBytes = from < to ? layout.pieceOffset(to - 1) + layout.pieceLength(to - 1)
                        - layout.pieceOffset(from) : 0;
                final ByteBuffer buf = DirectBuffers.cacheAligned((int) Math.min(BUFFER_BYTES, Math.max(1, rangeBytes)));
                int p = from;
                while (p < to) {
                    if (!wanted.get(p)) {
                        p++;
                        continue;
                    }
                    int end = p + 1;
                    while (end < to && wanted.get(end)) {
                        end++;
                    }
                    checkRun(p, end, pair, buf);
                    p = end;
                }
            } catch (final RuntimeException e) {
                failure = e;
            } finally {
                for (final FileChannel ch : channels) {
                    if (ch != null) {
                        try {
                            ch.close();
                        } catch (final IOException ignored) {
                            // read-only channel: nothing to lose
                        }
                    }
                }
            }
        }

        /** Checks pieces {@code [first, end)}, all wanted: in pairs where it can, the rest one by one. */
        private void checkRun(final int first, final int end, final Sha1Pair pair, final ByteBuffer buf) {
            int single = first;
            if (pair != null && buf.capacity() / 2 >= PAIR_ALIGNMENT) {
                // Pairs need pieces of one length: every piece but perhaps the torrent's last.
                final int even = end == layout.pieceCount() && layout.pieceLength(end - 1) != layout.pieceLength(first)
                        ? end - 1 : end;
                final int half = (even - first) / 2;
                if (half > 0) {
                    final int paired = checkPairs(first, first + half, half, pair, buf);
                    if (paired < half) {
                        // Something unreadable: one by one from there, which tells which pieces it spoils.
                        checkSingly(first + paired, first + half, buf);
                        checkSingly(first + half + paired, first + 2 * half, buf);
                    }
                    single = first + 2 * half;
                }
            }
            if (single < end) {
                checkSingly(single, end, buf);
            }
        }

        /**
         * Hashes pieces {@code [a, a + count)} against {@code [b, b + count)}, two at a time, each range read
         * sequentially into its half of {@code buf}; returns how many pairs it finished, fewer than {@code count}
         * only where a read came up short.
         */
        private int checkPairs(final int a, final int b, final int count, final Sha1Pair pair, final ByteBuffer buf) {
            final int half = buf.capacity() / 2 / PAIR_ALIGNMENT * PAIR_ALIGNMENT;
            buf.clear();
            final ByteBuffer bufA = buf.slice(0, half);
            final ByteBuffer bufB = buf.slice(half, half);
            final long addressA = BufferUtil.address(bufA);
            final long addressB = BufferUtil.address(bufB);
            final long pieceLength = layout.pieceLength(a);
            final long bytes = count * pieceLength;
            final long startA = layout.pieceOffset(a);
            final long startB = layout.pieceOffset(b);
            int finished = 0;
            long inPiece = 0;
            pair.reset();
            for (long done = 0; done < bytes; ) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new StoreException("recheck interrupted", null);
                }
                final int want = (int) Math.min(half, bytes - done);
                bufA.clear().limit(want);
                bufB.clear().limit(want);
                if (fill(startA + done, bufA) < want || fill(startB + done, bufB) < want) {
                    return finished;
                }
                for (long at = 0; at < want; ) {
                    final long take = Math.min(want - at, pieceLength - inPiece);
                    pair.update(addressA + at, addressB + at, take);
                    at += take;
                    inPiece += take;
                    if (inPiece == pieceLength) {
                        pair.digest(digests, 0, digests, Sha1.LENGTH);
                        record(a + finished, digests, 0);
                        record(b + finished, digests, Sha1.LENGTH);
                        finished++;
                        inPiece = 0;
                    }
                }
                done += want;
            }
            Reference.reachabilityFence(buf);
            return finished;
        }

        private void record(final int piece, final byte[] digest, final int offset) {
            final int expected = piece * Sha1.LENGTH;
            if (Arrays.equals(digest, offset, offset + Sha1.LENGTH, hashes, expected, expected + Sha1.LENGTH)) {
                good.set(piece);
            }
            progress.accept(layout.pieceLength(piece));
        }

        /** Streams pieces {@code [first, end)} (all wanted) through the digest, piece by piece. */
        private void checkSingly(final int first, final int end, final ByteBuffer buf) {
            if (sha1 == null) {
                // Made on first use: where pairs cover every piece, the process never binds libcrypto.
                sha1 = Sha1.create();
            }
            final long stop = layout.pieceOffset(end - 1) + layout.pieceLength(end - 1);
            int piece = first;
            long pos = layout.pieceOffset(first);
            long pieceEnd = pos + layout.pieceLength(first);
            sha1.reset();
            while (pos < stop) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new StoreException("recheck interrupted", null);
                }
                final int want = (int) Math.min(buf.capacity(), stop - pos);
                buf.clear().limit(want);
                final int got = fill(pos, buf);
                buf.flip();
                while (buf.hasRemaining()) {
                    final int take = (int) Math.min(buf.remaining(), pieceEnd - pos);
                    final int limit = buf.limit();
                    buf.limit(buf.position() + take);
                    sha1.update(buf);
                    buf.limit(limit);
                    pos += take;
                    if (pos == pieceEnd) {
                        finish(piece, sha1);
                        piece++;
                        if (piece < end) {
                            pieceEnd += layout.pieceLength(piece);
                        }
                    }
                }
                if (got < want) {
                    // Unreadable from pos to the end of its file: every piece overlapping that fails.
                    final int f = layout.fileAt(pos);
                    final long badEnd = Math.min(stop, layout.fileOffset(f) + layout.file(f).length());
                    final int lastBad = layout.pieceAt(badEnd - 1);
                    for (int q = piece; q <= lastBad; q++) {
                        progress.accept(layout.pieceLength(q));
                    }
                    piece = lastBad + 1;
                    if (piece >= end) {
                        return;
                    }
                    pos = layout.pieceOffset(piece);
                    pieceEnd = pos + layout.pieceLength(piece);
                    sha1.reset();
                }
            }
        }

        private void finish(final int piece, final Sha1 sha1) {
            if (sha1.digestMatches(hashes, piece * Sha1.LENGTH)) {
                good.set(piece);
            }
            progress.accept(layout.pieceLength(piece));
        }

        /** Reads from absolute {@code pos} until {@code buf} is full or a file is missing or short; bytes read. */
        private int fill(final long pos, final ByteBuffer buf) {
            final int start = buf.position();
            final int limit = buf.limit();
            long at = pos;
            int f = layout.fileAt(pos);
            try {
                while (buf.position() < limit) {
                    final long fileStart = layout.fileOffset(f);
                    final long fileEnd = fileStart + layout.file(f).length();
                    if (fileEnd > at) {
                        final int n = (int) Math.min(fileEnd - at, limit - buf.position());
                        buf.limit(buf.position() + n);
                        if (paths[f] == null) {
                            PieceStore.putZeros(buf, n);
                        } else {
                            final FileChannel ch = channel(f);
                            if (ch == null) {
                                return buf.position() - start;
                            }
                            long fileAt = at - fileStart;
                            while (buf.hasRemaining()) {
                                final int r;
                                try {
                                    r = ch.read(buf, fileAt);
                                } catch (final IOException e) {
                                    unreadable[f] = true;
                                    return buf.position() - start;
                                }
                                if (r < 0) {
                                    return buf.position() - start;
                                }
                                fileAt += r;
                            }
                        }
                        at += n;
                        buf.limit(limit);
                    }
                    f++;
                }
                return buf.position() - start;
            } finally {
                buf.limit(limit);
            }
        }

        /** The channel of file {@code f}, or null if it is missing or unreadable. */
        private FileChannel channel(final int f) {
            if (unreadable[f]) {
                return null;
            }
            FileChannel ch = channels[f];
            if (ch == null) {
                try {
                    ch = FileChannel.open(paths[f], StandardOpenOption.READ);
                } catch (final IOException e) {
                    // Missing (NoSuchFileException) or not readable: its pieces fail, the recheck goes on.
                    unreadable[f] = true;
                    return null;
                }
                channels[f] = ch;
            }
            return ch;
        }
    }
}
