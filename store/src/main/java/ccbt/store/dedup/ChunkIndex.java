package ccbt.store.dedup;

import ccbt.store.StoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * The persistent chunk-dedup index: 32-byte chunk hash (BLAKE3) → {@link ChunkLocation}, in a Chronicle
 * Map memory-mapped from one file. Entries are fixed-size, so the file never fragments. Every update is a
 * single atomic operation on the entry's segment, so concurrent callers never lose a reference.
 *
 * <p>Durability: the map lives in shared memory-mapped pages, so whatever a call has written survives
 * the process being killed (kill -9) at any moment; it does not survive the machine losing power before
 * the kernel writes the pages back. A marker file ({@code <file>.open}) exists and is locked while the
 * index is open. Finding it unlocked at open means the last owner died without closing, and the map is
 * opened through Chronicle Map's recovery, which repairs segment locks and counts a crash may have left
 * behind; finding it locked means another process has the index open, and open fails rather than
 * "recovering" a map in use.
 */
public final class ChunkIndex implements AutoCloseable {
    /** Key length: a BLAKE3-256 chunk hash. */
    public static final int HASH_LENGTH = 32;

    private final ChronicleMap<byte[], byte[]> map;
    private final Path file;
    private final Path marker;
    private final FileChannel markerChannel;
    private final boolean recovered;

    private ChunkIndex(final ChronicleMap<byte[], byte[]> map, final Path file, final Path marker,
                       final FileChannel markerChannel, final boolean recovered) {
        this.map = map;
        this.file = file;
        this.marker = marker;
        this.markerChannel = markerChannel;
        this.recovered = recovered;
    }

    /**
     * Opens the index in {@code file}, creating it sized for {@code maxEntries} chunks if absent (the
     * size of an existing file is kept), recovering it if the last run did not close it.
     */
    public static ChunkIndex open(final Path file, final long maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries " + maxEntries + " must be positive");
        }
        final Path abs = file.toAbsolutePath();
        final Path marker = abs.resolveSibling(abs.getFileName() + ".open");
        FileChannel markerChannel = null;
        try {
            Files.createDirectories(abs.getParent());
            final boolean markerFound = Files.exists(marker);
            markerChannel = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            final FileLock lock;
            try {
                lock = markerChannel.tryLock();
            } catch (final OverlappingFileLockException e) {
                throw new StoreException("chunk index " + abs + " is already open in this process", abs, e);
            }
            if (lock == null) {
                throw new StoreException("chunk index " + abs + " is open in another process", abs);
            }
            final boolean unclean = markerFound && Files.exists(abs);
            final var builder = ChronicleMap.of(byte[].class, byte[].class)
                    .name("ccbt-chunk-index")
                    .entries(maxEntries)
                    .constantKeySizeBySample(new byte[HASH_LENGTH])
                    .constantValueSizeBySample(new byte[ChunkLocationDescriptor.VALUE_LENGTH]);
            final ChronicleMap<byte[], byte[]> map = unclean
                    ? builder.recoverPersistedTo(abs.toFile(), true)
                    : builder.createPersistedTo(abs.toFile());
            return new ChunkIndex(map, abs, marker, markerChannel, unclean);
        } catch (final StoreException e) {
            closeQuietly(markerChannel);
            throw e;
        } catch (final IOException | RuntimeException e) {
            closeQuietly(markerChannel);
            throw new StoreException("cannot open chunk index " + abs + ": " + e.getMessage(), abs, e);
        }
    }

    private static void closeQuietly(final FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (final IOException ignored) {
                // closing the marker also drops its lock; nothing else to undo
            }
        }
    }

    /** True if this open had to recover the file from an unclean shutdown. */
    public boolean recovered() {
        return recovered;
    }

    public Path file() {
        return file;
    }

    /** Number of chunks indexed. */
    public long size() {
        return map.longSize();
    }

    /** The location of chunk {@code hash}, or null if it is not indexed. */
    public ChunkLocation get(final byte[] hash) {
        final byte[] v = map.get(checkHash(hash));
        return v == null ? null : ChunkLocationDescriptor.read(v);
    }

    /**
     * Indexes a new chunk with one reference, or, if it is already indexed (a dedup hit), adds a reference
     * to the existing entry and refreshes its access time. Returns the location now in effect: the existing
     * one on a hit (then the caller need not store its copy), the given one otherwise.
     */
    public ChunkLocation addOrReference(final byte[] hash, final int storeId, final long offset, final int length,
                                        final long nowMillis) {
        if (length <= 0 || offset < 0) {
            throw new IllegalArgumentException("chunk location offset " + offset + " length " + length);
        }
        final byte[] v = map.compute(checkHash(hash), (k, old) -> {
            if (old == null) {
                final byte[] fresh = new byte[ChunkLocationDescriptor.VALUE_LENGTH];
                ChunkLocationDescriptor.write(fresh, storeId, offset, length, 1, nowMillis);
                return fresh;
            }
            ChunkLocationDescriptor.refCount(old, Math.addExact(ChunkLocationDescriptor.refCount(old), 1));
            ChunkLocationDescriptor.lastAccess(old, nowMillis);
            return old;
        });
        return ChunkLocationDescriptor.read(v);
    }

    /** Adds a reference to an indexed chunk; returns the new count, or 0 if the chunk is not indexed. */
    public int reference(final byte[] hash, final long nowMillis) {
        final byte[] v = map.computeIfPresent(checkHash(hash), (k, old) -> {
            ChunkLocationDescriptor.refCount(old, Math.addExact(ChunkLocationDescriptor.refCount(old), 1));
            ChunkLocationDescriptor.lastAccess(old, nowMillis);
            return old;
        });
        return v == null ? 0 : ChunkLocationDescriptor.refCount(v);
    }

    /**
     * Drops a reference; the entry is removed when none remain. Returns the references left (0 when
     * removed or not indexed).
     */
    public int release(final byte[] hash) {
        final byte[] v = map.computeIfPresent(checkHash(hash), (k, old) -> {
            final int left = ChunkLocationDescriptor.refCount(old) - 1;
            if (left <= 0) {
                return null;
            }
            ChunkLocationDescriptor.refCount(old, left);
            return old;
        });
        return v == null ? 0 : ChunkLocationDescriptor.refCount(v);
    }

    /** Sets the last access time of an indexed chunk; false if it is not indexed. */
    public boolean touch(final byte[] hash, final long nowMillis) {
        return map.computeIfPresent(checkHash(hash), (k, old) -> {
            ChunkLocationDescriptor.lastAccess(old, nowMillis);
            return old;
        }) != null;
    }

    /**
     * Removes every chunk not accessed since {@code cutoffMillis} (the {@code ccbt xet cleanup} rule: a chunk
     * no torrent has touched for that long is not worth keeping in the index). Returns how many were removed.
     */
    public long removeAccessedBefore(final long cutoffMillis) {
        long removed = 0;
        final var it = map.entrySet().iterator();
        while (it.hasNext()) {
            final var e = it.next();
            if (ChunkLocationDescriptor.read(e.getValue()).lastAccessMillis() < cutoffMillis) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    /**
     * Counts of the index for {@code ccbt xet status} and {@code stats}: chunks, the bytes they stand for
     * once each, references, and the bytes they stand for counting every reference (length × refcount).
     */
    public Stats stats() {
        long chunks = 0;
        long bytes = 0;
        long references = 0;
        long referencedBytes = 0;
        for (final byte[] v : map.values()) {
            final ChunkLocation l = ChunkLocationDescriptor.read(v);
            chunks++;
            bytes += l.length();
            references += l.refCount();
            referencedBytes += (long) l.length() * l.refCount();
        }
        return new Stats(chunks, bytes, references, referencedBytes);
    }

    /**
     * What {@link #stats()} counts: {@code bytes} is what the chunks take stored once, {@code referencedBytes}
     * what they would take stored once per reference; the difference is what dedup saves.
     */
    public record Stats(long chunks, long bytes, long references, long referencedBytes) {
    }

    /** Closes the map and removes the open marker: the next open needs no recovery. Idempotent. */
    @Override
    public synchronized void close() {
        if (map.isOpen()) {
            map.close();
            try {
                // Delete while still holding the lock, so no other opener sees an unlocked marker of a live index.
                Files.deleteIfExists(marker);
            } catch (final IOException e) {
                throw new StoreException("cannot remove " + marker + ": " + e.getMessage(), marker, e);
            } finally {
                closeQuietly(markerChannel);
            }
        }
    }

    private static byte[] checkHash(final byte[] hash) {
        if (hash.length != HASH_LENGTH) {
            throw new IllegalArgumentException("chunk hash of " + hash.length + " bytes, expected " + HASH_LENGTH);
        }
        return hash;
    }
}
