package ccbt.pipeline.xet;

import ccbt.store.FileLayout;
import ccbt.xet.format.ChunkList;
import ccbt.xet.format.XetFormatException;
import ccbt.xet.hash.XetHash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The chunks of one torrent's files: each file's {@link ChunkList} (hash and length of every chunk, in file
 * order) and a lookup from chunk hash to one place it occupies (file, offset in the file, length). It is
 * what the torrent serves over {@code ut_xet} and what its dedup-index references stand for.
 *
 * <p>Lists are filled by the torrent's own chunking and kept under the state directory, one file per torrent
 * file ({@code <dir>/<file index>.chunks}, the serialized {@link ChunkList}), written to a temporary file and
 * renamed, so that a restarted seeder serves without chunking again and a crash never leaves half a list.
 * Thread-safe (the chunking threads add lists, the event loop serves them).
 */
public final class ChunkCatalog {
    private static final System.Logger LOG = System.getLogger(ChunkCatalog.class.getName());
    private static final String SUFFIX = ".chunks";

    /** Where a chunk lies in the torrent: file index, offset within that file, length. */
    public record Location(int file, long offset, int length) {
    }

    private final Path dir;
    private final FileLayout layout;
    private final ChunkList[] lists;
    private final byte[][] serialized;
    private final Map<XetHash, Location> byHash = new HashMap<>();

    private ChunkCatalog(final Path dir, final FileLayout layout) {
        this.dir = dir;
        this.layout = layout;
        this.lists = new ChunkList[layout.fileCount()];
        this.serialized = new byte[layout.fileCount()][];
    }

    /**
     * Opens the catalog kept in {@code dir} for a torrent of this layout, loading the lists stored there. A
     * stored list that does not parse, does not cover its file's length, or does not hash to
     * {@code expectedFileHashes[file]} (when that is not null) is deleted with a warning: the file is chunked
     * again rather than served wrongly.
     */
    public static ChunkCatalog open(final Path dir, final FileLayout layout, final XetHash[] expectedFileHashes) {
        final ChunkCatalog catalog = new ChunkCatalog(dir, layout);
        if (!Files.isDirectory(dir)) {
            return catalog;
        }
        for (int f = 0; f < layout.fileCount(); f++) {
            final Path file = catalog.pathOf(f);
            if (layout.file(f).padFile() || !Files.exists(file)) {
                continue;
            }
            try {
                final byte[] bytes = Files.readAllBytes(file);
                final ChunkList list = ChunkList.parse(bytes);
                if (list.fileLength() != layout.file(f).length()) {
                    throw new XetFormatException("it covers " + list.fileLength() + " bytes, the file has "
                        + layout.file(f).length());
                }
                list.verify(expectedFileHashes == null || expectedFileHashes[f] == null
                    ? list.fileHash() : expectedFileHashes[f]);
                catalog.add(f, list, bytes);
            } catch (final IOException | XetFormatException e) {
                LOG.log(System.Logger.Level.WARNING, "dropping stored chunk list " + file + ": " + e.getMessage());
                try {
                    Files.deleteIfExists(file);
                } catch (final IOException ignored) {
                    // it is refused again at the next open
                }
            }
        }
        return catalog;
    }

    private Path pathOf(final int file) {
        return dir.resolve(file + SUFFIX);
    }

    private void add(final int file, final ChunkList list, final byte[] bytes) {
        lists[file] = list;
        serialized[file] = bytes;
        long offset = 0;
        for (int i = 0; i < list.size(); i++) {
            byHash.putIfAbsent(list.hash(i), new Location(file, offset, list.length(i)));
            offset += list.length(i);
        }
    }

    /**
     * The chunk hashes of {@code list} that no list of the torrent holds yet (each once): what the torrent
     * takes its index references on before it {@link #store stores} the list for file {@code file}. Null if
     * the file's list is already known (then no reference is due: a resumed download or a restarted seeder
     * must not count twice).
     */
    public synchronized List<XetHash> newHashes(final int file, final ChunkList list) {
        if (lists[file] != null) {
            return null;
        }
        final List<XetHash> fresh = new ArrayList<>();
        final Set<XetHash> seen = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            final XetHash h = list.hash(i);
            if (!byHash.containsKey(h) && seen.add(h)) {
                fresh.add(h);
            }
        }
        return fresh;
    }

    /**
     * Records and stores file {@code file}'s list, unless the catalog already has one for it.
     *
     * @return the hashes {@link #newHashes} gave before the list was recorded; null if the file's list was
     *     already known (then nothing changes)
     * @throws UncheckedIOException if the list cannot be written (then it is not recorded either)
     */
    public synchronized List<XetHash> store(final int file, final ChunkList list) {
        if (list.fileLength() != layout.file(file).length()) {
            throw new IllegalArgumentException("chunk list of file " + file + " covers " + list.fileLength()
                + " bytes, the file has " + layout.file(file).length());
        }
        final List<XetHash> fresh = newHashes(file, list);
        if (fresh == null) {
            return null;
        }
        final byte[] bytes = list.serialize();
        final Path target = pathOf(file);
        try {
            Files.createDirectories(dir);
            final Path tmp = dir.resolve(file + SUFFIX + ".tmp");
            Files.write(tmp, bytes, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (final AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot store the chunk list of file " + file + " in " + target, e);
        }
        add(file, list, bytes);
        return fresh;
    }

    /** File {@code file}'s chunk list, or null if the catalog has none for it yet. */
    public synchronized ChunkList list(final int file) {
        return lists[file];
    }

    /** File {@code file}'s serialized chunk list (shared: do not modify), or null. */
    public synchronized byte[] serializedList(final int file) {
        return serialized[file];
    }

    /** Whether every file that is not a pad file has its list. */
    public synchronized boolean isComplete() {
        for (int f = 0; f < lists.length; f++) {
            if (lists[f] == null && !layout.file(f).padFile()) {
                return false;
            }
        }
        return true;
    }

    /** One place chunk {@code hash} occupies in the torrent, or null if no list of it names the chunk. */
    public synchronized Location find(final XetHash hash) {
        return byHash.get(hash);
    }

    /** Every distinct chunk hash the torrent's lists name. */
    public synchronized Set<XetHash> hashes() {
        return new HashSet<>(byHash.keySet());
    }

    /** Deletes the stored lists (the torrent left the engine) and forgets them. */
    public synchronized void delete() {
        java.util.Arrays.fill(lists, null);
        java.util.Arrays.fill(serialized, null);
        byHash.clear();
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (final Path p : files) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (final IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete stored chunk lists in " + dir + ": " + e);
        }
    }
}
