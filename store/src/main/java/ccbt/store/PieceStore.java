package ccbt.store;

import ccbt.core.hash.Sha1;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The files of one torrent under a download root, addressed by piece. Writes and reads are positional
 * ({@code FileChannel.write(ByteBuffer, long)}) straight from and into the caller's (direct) buffers,
 * split across file spans; nothing is allocated per call. Pad files are never created: writes to them
 * are dropped, reads give zeros.
 *
 * <p>File channels are opened lazily and at most {@code maxOpenFiles} stay open (a seedbox holds many
 * torrents); the least recently opened one is closed to make room. All methods are thread-safe: the
 * disk-write stage and the disk read pool use one store at once. A file is pinned while a call does I/O on it,
 * and eviction passes over pinned files: a call that finds every other open file pinned opens one more, and the
 * last unpin closes the surplus. (Retrying after an eviction instead was not enough: with one slot and three
 * readers, a reader could lose its channel several times in a row.) A channel closed under a running call by
 * another thread's interrupt, which closes a {@code FileChannel}, is reopened and the call retried.
 *
 * <p><b>Direct writes.</b> Opened with {@code directWrites}, the 4 KiB-aligned part of a write whose buffer and
 * file offset are 4 KiB-aligned goes through a second channel opened with {@code O_DIRECT}: from the caller's
 * buffer to the device, with no copy into the page cache: the least CPU per GiB, but the caller waits for the device
 * (off by default, docs/decisions.md). The unaligned rest (a file's last partial page, files that start inside a
 * piece) is written through the page cache. A file system that refuses {@code O_DIRECT} (older tmpfs, some FUSE file
 * systems) turns direct writes off for the store. Reads always use the page cache; the kernel keeps both views
 * coherent. Writes through the page cache go in calls of at most {@link #BUFFERED_WRITE_CHUNK} bytes.
 *
 * <p>Failures are {@link StoreException}s naming the file; a failed {@link #writePiece} may have written
 * part of the piece, so the caller must not mark it verified.
 */
public final class PieceStore implements AutoCloseable {
    /** Open file channels kept per store unless told otherwise. */
    public static final int DEFAULT_MAX_OPEN_FILES = 64;
    private static final int ZERO_FILL_CHUNK = 1 << 20;
    private static final int RETRIES = 3;
    /**
     * Largest single write through the page cache. On this project's machine (ext4, Linux 6.18, a VM) the kernel's
     * cost of buffered writes rose with the size of each call: a 1 GiB download through the page cache in 1 MiB
     * writes took 3.1-3.4 s of system time, in 32 KiB writes 1.3-2.4 s (median 1.5), and 16, 64 and 128 KiB writes
     * cost more than 32 KiB ones; a plain Python loop writing 1 GiB showed the same steps (docs/performance.md).
     */
    static final int BUFFERED_WRITE_CHUNK = 32 * 1024;
    /** Alignment of direct writes: file offset, buffer address and length (covers 512 B and 4 KiB blocks). */
    public static final int DIRECT_ALIGNMENT = 4096;
    /** Source of zeros for pad-file reads; read-only, so shared by all threads. */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    private final Path root;
    private final FileLayout layout;
    private final Path[] paths;
    private final AtomicReferenceArray<FileChannel> channels;
    /** O_DIRECT channels, open only while the file's channel is (they share its open-file slot). */
    private final AtomicReferenceArray<FileChannel> directChannels;
    private volatile boolean directWrites;
    private final DirectOpener directOpener;
    private final java.util.concurrent.atomic.AtomicLong directBytes = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicIntegerArray dirty;
    /** Per file: calls doing I/O on it now, or -1 while it is being evicted (under openLock). */
    private final AtomicIntegerArray users;
    private final Object openLock = new Object();
    private final int maxOpenFiles;
    private int openCount;
    /** openCount is above maxOpenFiles because every file eviction could close was pinned. */
    private volatile boolean overLimit;
    private int evictCursor;
    private volatile boolean closed;
    private final Object flushLock = new Object();

    /** Opens a file for O_DIRECT writes (a seam for tests of a file system that refuses them). */
    @FunctionalInterface
    interface DirectOpener {
        FileChannel open(Path file) throws IOException;
    }

    private static FileChannel openDirect(final Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
    }

    private PieceStore(final Path root, final FileLayout layout, final Path[] paths, final int maxOpenFiles,
                       final DirectOpener directOpener) {
        this.root = root;
        this.layout = layout;
        this.paths = paths;
        this.channels = new AtomicReferenceArray<>(paths.length);
        this.directChannels = new AtomicReferenceArray<>(paths.length);
        this.directOpener = directOpener;
        this.directWrites = directOpener != null;
        this.dirty = new AtomicIntegerArray(paths.length);
        this.users = new AtomicIntegerArray(paths.length);
        this.maxOpenFiles = maxOpenFiles;
    }

    /** Opens with {@link #DEFAULT_MAX_OPEN_FILES}, writing through the page cache. */
    public static PieceStore open(final Path root, final FileLayout layout, final Preallocation mode) {
        return open(root, layout, mode, DEFAULT_MAX_OPEN_FILES, false);
    }

    /** Writing through the page cache. */
    public static PieceStore open(
            final Path root, final FileLayout layout, final Preallocation mode, final int maxOpenFiles) {
        return open(root, layout, mode, maxOpenFiles, false);
    }

    /**
     * Creates the directories and files of {@code layout} under {@code root} (pad files excepted; empty
     * files are created) and sizes them as {@code mode} says. Existing files keep their content; files
     * longer than the layout says are left alone. Refuses paths that would land outside {@code root}. With
     * {@code directWrites}, aligned writes bypass the page cache (see the class comment).
     */
    public static PieceStore open(final Path root, final FileLayout layout, final Preallocation mode,
                                  final int maxOpenFiles, final boolean directWrites) {
        return open(root, layout, mode, maxOpenFiles, directWrites ? PieceStore::openDirect : null);
    }

    static PieceStore open(final Path root, final FileLayout layout, final Preallocation mode,
                           final int maxOpenFiles, final DirectOpener directOpener) {
        if (maxOpenFiles < 1) {
            throw new IllegalArgumentException("maxOpenFiles " + maxOpenFiles + " must be at least 1");
        }
        final Path base = root.toAbsolutePath().normalize();
        final Path[] paths = resolveAll(base, layout);
        try {
            Files.createDirectories(base);
        } catch (final IOException e) {
            throw StoreException.io("cannot create download directory", base, e);
        }
        for (int i = 0; i < paths.length; i++) {
            if (paths[i] != null) {
                prepare(paths[i], layout.file(i).length(), mode);
            }
        }
        return new PieceStore(base, layout, paths, maxOpenFiles, directOpener);
    }

    /**
     * The absolute path of every file of {@code layout} under {@code root} (null for pad files), after
     * checking that none escapes the root and no two coincide.
     */
    static Path[] resolveAll(final Path root, final FileLayout layout) {
        final Path[] paths = new Path[layout.fileCount()];
        final Set<Path> seen = new HashSet<>();
        for (int i = 0; i < paths.length; i++) {
            final StoredFile f = layout.file(i);
            if (f.padFile()) {
                continue;
            }
            final Path p = resolveUnder(root, f.relativePath());
            if (!seen.add(p)) {
                throw new StoreException("file path " + f.relativePath() + " appears twice in the torrent", p);
            }
            paths[i] = p;
        }
        return paths;
    }

    /** Resolves a metainfo path under {@code root}, refusing absolute paths, "." and ".." parts and NULs. */
    static Path resolveUnder(final Path root, final String relativePath) {
        if (relativePath.isEmpty() || relativePath.startsWith("/") || relativePath.indexOf('\0') >= 0) {
            throw new StoreException("unsafe file path \"" + relativePath + "\" in torrent", null);
        }
        for (final String part : relativePath.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new StoreException("unsafe file path \"" + relativePath + "\" in torrent", null);
            }
        }
        final Path p;
        try {
            p = root.resolve(relativePath).normalize();
        } catch (final java.nio.file.InvalidPathException e) {
            throw new StoreException("invalid file path \"" + relativePath + "\" in torrent: " + e.getMessage(), null);
        }
        // Belt and braces: whatever the checks above missed, the result must stay strictly under root.
        if (!p.startsWith(root) || p.equals(root)) {
            throw new StoreException("file path \"" + relativePath + "\" escapes the download root " + root, p);
        }
        return p;
    }

    private static void prepare(final Path file, final long length, final Preallocation mode) {
        try {
            Files.createDirectories(file.getParent());
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
            if (mode == Preallocation.FULL && NativeFallocate.available()) {
                final int err = NativeFallocate.fallocate(file, length);
                if (err == 0) {
                    return;
                }
                if (err == 28) {
                    throw new StoreException("cannot preallocate " + length + " bytes for " + file
                            + ": No space left on device", file);
                }
                // Other errors (e.g. a filesystem without fallocate support): fall through to zeros.
            }
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                final long size = raf.length();
                if (size >= length) {
                    return;
                }
                if (mode == Preallocation.SPARSE) {
                    raf.setLength(length);
                } else {
                    zeroFill(raf.getChannel(), size, length);
                }
            }
        } catch (final IOException e) {
            throw StoreException.io("cannot create file", file, e);
        }
    }

    private static void zeroFill(final FileChannel ch, final long from, final long to) throws IOException {
        final ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_FILL_CHUNK);
        long pos = from;
        while (pos < to) {
            zeros.clear().limit((int) Math.min(ZERO_FILL_CHUNK, to - pos));
            while (zeros.hasRemaining()) {
                pos += ch.write(zeros, pos);
            }
        }
    }

    public Path root() {
        return root;
    }

    public FileLayout layout() {
        return layout;
    }

    /** Absolute path of file {@code i}, or null for a pad file. */
    public Path path(final int i) {
        return paths[i];
    }

    /**
     * Writes a whole piece: {@code data}'s bytes from position to limit, which must be exactly the piece's
     * length. The buffer's position and limit are the same on return as on entry.
     *
     * @throws StoreException naming the file if a write fails (disk full: {@link StoreException#isDiskFull()})
     */
    public void writePiece(final int piece, final ByteBuffer data) {
        writePiece(piece, data, true);
    }

    /**
     * As {@link #writePiece(int, ByteBuffer)}; {@code direct} false sends the piece through the page cache even in a
     * store that writes direct, for a writer that is behind the device (ccbt.pipeline.ring.DiskWriteStage).
     */
    public void writePiece(final int piece, final ByteBuffer data, final boolean direct) {
        final int length = layout.pieceLength(piece);
        if (data.remaining() != length) {
            throw new IllegalArgumentException(
                    "piece " + piece + " is " + length + " bytes, buffer holds " + data.remaining());
        }
        write(layout.pieceOffset(piece), data, direct);
    }

    /** Writes {@code data} (position to limit, unchanged on return) at absolute offset {@code absOffset}. */
    public void write(final long absOffset, final ByteBuffer data) {
        write(absOffset, data, true);
    }

    private void write(final long absOffset, final ByteBuffer data, final boolean direct) {
        final int start = data.position();
        final int limit = data.limit();
        final long end = absOffset + (limit - start);
        checkRange(absOffset, limit - start);
        if (start == limit) {
            return;
        }
        try {
            int f = layout.fileAt(absOffset);
            long pos = absOffset;
            while (pos < end) {
                final long fileStart = layout.fileOffset(f);
                final long fileEnd = fileStart + layout.file(f).length();
                if (fileEnd > pos) {
                    final int n = (int) (Math.min(fileEnd, end) - pos);
                    if (paths[f] != null) {
                        final int at = start + (int) (pos - absOffset);
                        data.limit(at + n);
                        data.position(at);
                        writeFully(f, pos - fileStart, data, direct);
                    }
                    pos += n;
                }
                f++;
            }
        } finally {
            data.limit(limit);
            data.position(start);
        }
    }

    /**
     * Reads {@code dst.remaining()} bytes at {@code offset} within {@code piece} into {@code dst}
     * (position advanced by that much).
     *
     * @throws StoreException if a file is missing, unreadable or shorter than the layout says
     */
    public void readBlock(final int piece, final int offset, final ByteBuffer dst) {
        final int length = layout.pieceLength(piece);
        if (offset < 0 || offset > length - dst.remaining()) {
            throw new IndexOutOfBoundsException("block " + offset + "+" + dst.remaining()
                    + " outside piece " + piece + " of " + length + " bytes");
        }
        read(layout.pieceOffset(piece) + offset, dst, true);
    }

    /**
     * Whether piece {@code piece}, as the files hold it now, hashes to its SHA-1 in {@code pieceHashes} (20 bytes per
     * piece): read through {@code buffer}, whatever its size, and hashed with {@code sha1}, so checking a piece
     * allocates nothing. False also where a file is short.
     */
    public boolean pieceMatches(final int piece, final byte[] pieceHashes, final ByteBuffer buffer, final Sha1 sha1) {
        final long start = layout.pieceOffset(piece);
        final int length = layout.pieceLength(piece);
        sha1.reset();
        for (int done = 0; done < length; ) {
            buffer.clear().limit(Math.min(buffer.capacity(), length - done));
            final int want = buffer.remaining();
            if (read(start + done, buffer) != want) {
                return false;
            }
            sha1.update(buffer.flip());
            done += want;
        }
        return sha1.digestMatches(pieceHashes, piece * Sha1.LENGTH);
    }

    /**
     * Reads up to {@code dst.remaining()} bytes at absolute offset {@code absOffset}; stops early only where
     * a file is shorter than the layout says. Returns the number of bytes read.
     */
    public long read(final long absOffset, final ByteBuffer dst) {
        return read(absOffset, dst, false);
    }

    private long read(final long absOffset, final ByteBuffer dst, final boolean strict) {
        final int length = dst.remaining();
        checkRange(absOffset, length);
        final int limit = dst.limit();
        final long end = absOffset + length;
        long pos = absOffset;
        try {
            int f = length == 0 ? 0 : layout.fileAt(absOffset);
            while (pos < end) {
                final long fileStart = layout.fileOffset(f);
                final long fileEnd = fileStart + layout.file(f).length();
                if (fileEnd > pos) {
                    final int n = (int) (Math.min(fileEnd, end) - pos);
                    dst.limit(dst.position() + n);
                    if (paths[f] == null) {
                        putZeros(dst, n);
                    } else if (!readFully(f, pos - fileStart, dst)) {
                        if (strict) {
                            throw new StoreException("file " + paths[f] + " is shorter than the "
                                    + layout.file(f).length() + " bytes the torrent says", paths[f]);
                        }
                        return pos - absOffset + (n - dst.remaining());
                    }
                    pos += n;
                }
                f++;
            }
            return length;
        } finally {
            dst.limit(limit);
        }
    }

    /** Puts {@code n} zero bytes (pad-file content) at dst's position, in bulk. */
    static void putZeros(final ByteBuffer dst, final int n) {
        int left = n;
        while (left > 0) {
            final int k = Math.min(left, ZEROS.capacity());
            dst.put(dst.position(), ZEROS, 0, k);
            dst.position(dst.position() + k);
            left -= k;
        }
    }

    private void writeFully(final int f, final long fileOffset, final ByteBuffer src, final boolean allowDirect) {
        long at = fileOffset;
        final int direct = allowDirect && directWrites ? directLength(fileOffset, src) : 0;
        if (direct > 0) {
            final int limit = src.limit();
            src.limit(src.position() + direct);
            try {
                at = writeAll(f, at, src, true);
            } finally {
                src.limit(limit);
            }
        }
        if (src.hasRemaining()) {
            writeAll(f, at, src, false);
        }
    }

    /** How many bytes from {@code src}'s position may go to {@code fileOffset} with O_DIRECT (0 if none). */
    private static int directLength(final long fileOffset, final ByteBuffer src) {
        if ((fileOffset & (DIRECT_ALIGNMENT - 1)) != 0 || !src.isDirect()
            || src.alignmentOffset(src.position(), DIRECT_ALIGNMENT) != 0) {
            return 0;
        }
        return src.remaining() & -DIRECT_ALIGNMENT;
    }

    /**
     * Writes all of {@code src} at {@code fileOffset} through the file's regular channel or, if {@code direct}, its
     * O_DIRECT one, and returns the file offset after what was written. A file system that refuses O_DIRECT writes
     * nothing here (direct writes stop for the store) and the caller writes the rest through the page cache.
     */
    private long writeAll(final int f, final long fileOffset, final ByteBuffer src, final boolean direct) {
        long at = fileOffset;
        for (int attempt = 1; ; attempt++) {
            pin(f);
            try {
                final FileChannel ch = direct ? directChannel(f) : channel(f);
                if (ch == null) {
                    return at;
                }
                final int end = src.limit();
                try {
                    while (src.position() < end) {
                        if (!direct) { // O_DIRECT writes go whole: the device takes them as they are
                            src.limit(Math.min(end, src.position() + BUFFERED_WRITE_CHUNK));
                        }
                        final int n = ch.write(src, at);
                        at += n;
                        if (direct) {
                            directBytes.addAndGet(n);
                        }
                    }
                } finally {
                    src.limit(end);
                }
                dirty.set(f, 1); // direct too: the device may cache the data, and block allocation is metadata
                return at;
            } catch (final ClosedByInterruptException e) {
                throw new StoreException("write to " + paths[f] + " interrupted", paths[f], e);
            } catch (final ClosedChannelException e) {
                if (closed || attempt == RETRIES) {
                    throw StoreException.io("cannot write (channel closed)", paths[f], e);
                }
            } catch (final NonWritableChannelException e) {
                throw new StoreException("cannot write " + paths[f] + ": file is read-only", paths[f], e);
            } catch (final IOException e) {
                dirty.set(f, 1);
                throw StoreException.io("cannot write", paths[f], e);
            } finally {
                unpin(f);
            }
        }
    }

    /** Bytes written with O_DIRECT so far (for tests and metrics). */
    public long directBytesWritten() {
        return directBytes.get();
    }

    /** Fills {@code dst}; false if the file ended first. */
    private boolean readFully(final int f, final long fileOffset, final ByteBuffer dst) {
        long at = fileOffset;
        for (int attempt = 1; ; attempt++) {
            pin(f);
            try {
                final FileChannel ch = channel(f);
                while (dst.hasRemaining()) {
                    final int n = ch.read(dst, at);
                    if (n < 0) {
                        return false;
                    }
                    at += n;
                }
                return true;
            } catch (final ClosedByInterruptException e) {
                throw new StoreException("read of " + paths[f] + " interrupted", paths[f], e);
            } catch (final ClosedChannelException e) {
                if (closed || attempt == RETRIES) {
                    throw StoreException.io("cannot read (channel closed)", paths[f], e);
                }
            } catch (final IOException e) {
                throw StoreException.io("cannot read", paths[f], e);
            } finally {
                unpin(f);
            }
        }
    }

    /**
     * Flushes every file written since the last force to the device ({@code fsync} without metadata).
     * Call before saving resume data that marks those pieces verified. Callers are serialised: one that finds
     * nothing dirty because another is flushing returns only after that flush is done.
     */
    public void force() {
        synchronized (flushLock) {
            forceDirty();
        }
    }

    private void forceDirty() {
        for (int f = 0; f < paths.length; f++) {
            if (dirty.get(f) == 0) {
                continue;
            }
            dirty.set(f, 0);
            for (int attempt = 1; ; attempt++) {
                // fsync works on the file, not the descriptor: a channel reopened after eviction flushes
                // what was written through the old one.
                pin(f);
                try {
                    channel(f).force(false);
                    break;
                } catch (final ClosedByInterruptException e) {
                    dirty.set(f, 1);
                    throw new StoreException("flush of " + paths[f] + " interrupted", paths[f], e);
                } catch (final ClosedChannelException e) {
                    if (closed || attempt == RETRIES) {
                        dirty.set(f, 1);
                        throw StoreException.io("cannot flush (channel closed)", paths[f], e);
                    }
                } catch (final IOException e) {
                    dirty.set(f, 1);
                    throw StoreException.io("cannot flush", paths[f], e);
                } finally {
                    unpin(f);
                }
            }
        }
    }

    /** Number of file channels open now (for a gauge). */
    public int openFiles() {
        synchronized (openLock) {
            return openCount;
        }
    }

    /** Closes every open file. Does not flush: call {@link #force()} first where durability matters. */
    @Override
    public void close() {
        synchronized (openLock) {
            if (closed) {
                return;
            }
            closed = true;
            for (int f = 0; f < paths.length; f++) {
                closeQuietly(channels.getAndSet(f, null));
                closeQuietly(directChannels.getAndSet(f, null));
            }
            openCount = 0;
        }
    }

    /** Keeps file {@code f} from eviction until {@link #unpin}; waits out an eviction of it under way. */
    private void pin(final int f) {
        for (;;) {
            final int u = users.get(f);
            if (u >= 0) {
                if (users.compareAndSet(f, u, u + 1)) {
                    return;
                }
            } else {
                synchronized (openLock) {
                    // the evictor marks the file -1 and back to 0 while holding the lock
                }
            }
        }
    }

    private void unpin(final int f) {
        if (users.decrementAndGet(f) == 0 && overLimit) {
            synchronized (openLock) {
                while (openCount > maxOpenFiles && evictOne(-1)) {
                    // close the files opened over the limit now that they may be unpinned
                }
                overLimit = openCount > maxOpenFiles;
            }
        }
    }

    /** The file's open channel, opened if need be; the caller has pinned {@code f}. */
    private FileChannel channel(final int f) {
        final FileChannel ch = channels.get(f);
        if (ch != null && ch.isOpen()) {
            return ch;
        }
        synchronized (openLock) {
            if (closed) {
                throw new StoreException("store " + root + " is closed", paths[f]);
            }
            final FileChannel current = channels.get(f);
            if (current != null && current.isOpen()) {
                return current;
            }
            if (current == null) {
                while (openCount >= maxOpenFiles && evictOne(f)) {
                    // close unpinned files until there is room, or open one over the limit if all are pinned
                }
            }
            final FileChannel opened = openChannel(paths[f]);
            channels.set(f, opened);
            if (current == null) {
                openCount++;
                overLimit = openCount > maxOpenFiles;
            }
            return opened;
        }
    }

    /**
     * The file's O_DIRECT channel, opened with (and counted as) its regular channel; null once the file system
     * refused O_DIRECT, which turns direct writes off for the whole store.
     */
    private FileChannel directChannel(final int f) {
        final FileChannel ch = directChannels.get(f);
        if (ch != null && ch.isOpen()) {
            return ch;
        }
        synchronized (openLock) {
            // the open-file slot the pair shares, taken under the same lock (re-entered), so that no eviction can
            // close the regular channel between the two opens and leave the direct one uncounted
            channel(f);
            final FileChannel current = directChannels.get(f);
            if (current != null && current.isOpen()) {
                return current;
            }
            try {
                final FileChannel opened = directOpener.open(paths[f]);
                directChannels.set(f, opened);
                return opened;
            } catch (final AccessDeniedException e) {
                return null; // a read-only file: the page-cache path reports it
            } catch (final UnsupportedOperationException | IOException e) {
                directWrites = false;
                System.getLogger(PieceStore.class.getName()).log(System.Logger.Level.INFO,
                    "direct writes unavailable under " + root + " (" + e + "); writing through the page cache");
                return null;
            }
        }
    }

    /**
     * Closes the next open, unpinned channel after the cursor (a cheap clock in place of true LRU); false if every
     * open file other than {@code keep} is pinned. Called under openLock.
     */
    private boolean evictOne(final int keep) {
        final int n = paths.length;
        for (int i = 0; i < n; i++) {
            final int f = (evictCursor + i) % n;
            if (f != keep && channels.get(f) != null && users.compareAndSet(f, 0, -1)) {
                closeQuietly(channels.getAndSet(f, null));
                closeQuietly(directChannels.getAndSet(f, null));
                users.set(f, 0);
                openCount--;
                evictCursor = (f + 1) % n;
                return true;
            }
        }
        return false;
    }

    private static FileChannel openChannel(final Path p) {
        try {
            return FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (final AccessDeniedException e) {
            // A read-only file can still be seeded; writes to it then fail with a clear message.
            try {
                return FileChannel.open(p, StandardOpenOption.READ);
            } catch (final IOException e2) {
                throw StoreException.io("cannot open", p, e2);
            }
        } catch (final IOException e) {
            throw StoreException.io("cannot open", p, e);
        }
    }

    private static void closeQuietly(final FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (final IOException ignored) {
                // Nothing was written through a channel we only close; force() has already run or will reopen.
            }
        }
    }

    private void checkRange(final long absOffset, final int length) {
        if (absOffset < 0 || length < 0 || absOffset > layout.totalLength() - length) {
            throw new IndexOutOfBoundsException(
                    "range " + absOffset + "+" + length + " outside torrent of " + layout.totalLength() + " bytes");
        }
    }
}
