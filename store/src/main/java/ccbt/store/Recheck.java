package ccbt.store;

import ccbt.core.Bitfield;
import ccbt.core.DirectBuffers;
import ccbt.core.hash.Sha1;
import ccbt.core.hash.Sha1Pair;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.agrona.BufferUtil;
import org.agrona.collections.IntArrayList;

/**
 * Verifies pieces on disk against their v1 SHA-1 hashes. Read-only: it never creates or extends a file;
 * pieces touching a missing, short or unreadable file fail. The wanted pieces are cut into spans of up to
 * {@link #SPAN_BYTES}; worker threads take them from one queue and stream each sequentially through one large
 * direct buffer, so the disk sees long reads and the hash reads the buffer where it lies; the buffer is
 * cache-aligned ({@link DirectBuffers}). Where {@link Sha1Pair} is available a worker hashes two pieces at once:
 * the first and the second half of a span, each half read sequentially into its half of the buffer; other pieces
 * go through {@link Sha1}. A span within one file whose data the page cache holds (a recheck after a download, or
 * a second one) is hashed where the cache holds it, through a read-only mapping, without the copy a read makes.
 */
public final class Recheck {
    /** Read size per worker: long sequential reads, small enough for many parallel rechecks. */
    static final int BUFFER_BYTES = 4 << 20;
    /**
     * Most bytes a worker takes from the queue at once (a single larger piece makes a span of its own): long runs
     * for the disk, and a short tail where one worker still hashes while the others are done.
     */
    static final long SPAN_BYTES = 32L << 20;
    /** Distance between the pages {@link Worker#cached} asks the page cache about, and how much of each it asks. */
    private static final long CACHE_PROBE_STRIDE = 1 << 20;
    private static final long CACHE_PROBE_BYTES = 4096;
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

        // Threads take spans of wanted pieces from one queue, so one slowed at the start (the JIT shares the
        // cores then) does not leave the other idle at the end, as fixed halves did.
        final int[] spans = spans(layout, wanted);
        final AtomicInteger nextSpan = new AtomicInteger();
        final int workers = Math.max(1, Math.min(threads, spans.length / 2));
        final Worker[] ws = new Worker[workers];
        for (int w = 0; w < workers; w++) {
            ws[w] = new Worker(layout, paths, pieceHashes, spans, nextSpan, progress);
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

    /**
     * The wanted pieces as spans {@code [first, end)}, flattened into pairs of ints: each a run of wanted pieces
     * cut to at most {@link #SPAN_BYTES}.
     */
    static int[] spans(final FileLayout layout, final Bitfield wanted) {
        final int pieces = layout.pieceCount();
        final IntArrayList spans = new IntArrayList();
        int p = wanted.nextSetBit(0);
        while (p >= 0 && p < pieces) {
            final int first = p;
            long bytes = 0;
            while (p < pieces && wanted.get(p) && (p == first || bytes + layout.pieceLength(p) <= SPAN_BYTES)) {
                bytes += layout.pieceLength(p);
                p++;
            }
            spans.addInt(first);
            spans.addInt(p);
            p = p < pieces ? wanted.nextSetBit(p) : -1;
        }
        return spans.toIntArray();
    }

    /** Checks the spans it takes from the shared queue; results in {@link #good}, confined to its thread until joined. */
    private static final class Worker implements Runnable {
        private final FileLayout layout;
        private final Path[] paths;
        private final byte[] hashes;
        private final int[] spans;
        private final AtomicInteger nextSpan;
        private final LongConsumer progress;
        private final FileChannel[] channels;
        private final boolean[] unreadable;
        final Bitfield good;
        private Sha1 sha1;
        /** The two digests of a pair. */
        private final byte[] digests = new byte[2 * Sha1.LENGTH];
        volatile RuntimeException failure;

        Worker(final FileLayout layout, final Path[] paths, final byte[] hashes, final int[] spans,
               final AtomicInteger nextSpan, final LongConsumer progress) {
            this.layout = layout;
            this.paths = paths;
            this.hashes = hashes;
            this.spans = spans;
            this.nextSpan = nextSpan;
            this.progress = progress;
            this.channels = new FileChannel[paths.length];
            this.unreadable = new boolean[paths.length];
            this.good = new Bitfield(layout.pieceCount());
        }

        @Override
        public void run() {
            try {
                final Sha1Pair pair = Sha1Pair.isAvailable() ? Sha1Pair.create() : null;
                ByteBuffer buf = null;
                for (int s = nextSpan.getAndIncrement(); 2 * s < spans.length; s = nextSpan.getAndIncrement()) {
                    final int first = spans[2 * s];
                    final int end = spans[2 * s + 1];
                    if (buf == null) {
                        final long spanBytes = layout.pieceOffset(end - 1) + layout.pieceLength(end - 1)
                            - layout.pieceOffset(first);
                        buf = DirectBuffers.cacheAligned((int) Math.min(BUFFER_BYTES, spanBytes));
                    }
                    checkRun(first, end, pair, buf);
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
                    final int mapped = checkPairsMapped(first, first + half, half, pair);
                    final int paired = mapped >= 0 ? mapped : checkPairs(first, first + half, half, pair, buf);
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
         * Hashes pieces {@code [a, a + count)} against {@code [b, b + count)}, which follow them, two at a time where
         * the page cache holds them, without copying them out: returns how many pairs it finished, fewer than
         * {@code count} if a page could not be read (the file shrank), or -1 if it hashed none because the pieces
         * are not all in one file or not all in memory. Only where their data is cached: faulting a mapping in from
         * the disk would read the two ranges in small alternating steps, where {@link #checkPairs} reads long runs.
         */
        private int checkPairsMapped(final int a, final int b, final int count, final Sha1Pair pair) {
            final long start = layout.pieceOffset(a);
            final long pieceLength = layout.pieceLength(a);
            final long bytes = 2 * count * pieceLength;
            final int f = layout.fileAt(start);
            final long inFile = start - layout.fileOffset(f);
            if (pieceLength % PAIR_ALIGNMENT != 0 || paths[f] == null || inFile + bytes > layout.file(f).length()
                    || !Sha1Pair.canHashMappings()) {
                return -1;
            }
            final FileChannel ch = channel(f);
            try (Arena arena = Arena.ofConfined()) {
                if (ch == null || ch.size() < inFile + bytes) {
                    return -1;
                }
                final MemorySegment mapping = ch.map(FileChannel.MapMode.READ_ONLY, inFile, bytes, arena);
                if (!cached(mapping)) {
                    return -1;
                }
                final long addressA = mapping.address();
                final long addressB = addressA + count * pieceLength;
                for (int i = 0; i < count; i++) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new StoreException("recheck interrupted", null);
                    }
                    pair.reset();
                    if (!pair.updateMapped(addressA + i * pieceLength, addressB + i * pieceLength, pieceLength)) {
                        pair.reset();
                        return i;
                    }
                    pair.digest(digests, 0, digests, Sha1.LENGTH);
                    record(a + i, digests, 0);
                    record(b + i, digests, Sha1.LENGTH);
                }
                return count;
            } catch (final IOException | UnsupportedOperationException e) {
                // Not mappable here (a special file, a file system without mmap): read it instead.
                return -1;
            }
        }

        /**
         * Whether the page cache holds the mapping's data, judged by one page in every {@link #CACHE_PROBE_STRIDE}
         * bytes: asking for every page costs a 1 GiB recheck about 0.01 s, and a wrong guess only costs speed.
         */
        private static boolean cached(final MemorySegment mapping) {
            final long size = mapping.byteSize();
            for (long at = 0; at < size; at += CACHE_PROBE_STRIDE) {
                if (!mapping.asSlice(at, Math.min(CACHE_PROBE_BYTES, size - at)).isLoaded()) {
                    return false;
                }
            }
            return mapping.asSlice(size - 1).isLoaded();
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
