package ccbt.pipeline.xet;

import ccbt.core.InfoHash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The numbering of the places chunk bytes live in, for the dedup index's fixed-size location records:
 * store {@code n} is one file of one torrent. Kept as an append-only text file so that ids survive
 * restarts, one line per store:
 * <pre>
 * id TAB info-hash TAB file index TAB path under the torrent's directory [TAB absolute path]
 * </pre>
 * The fifth field (the file's absolute path, so that another torrent can copy a chunk out of it) was added
 * later: lines without it still give the id, and an id whose file has moved (the torrent was added again
 * under another directory) gets a new line with the same id and the new path; the last line wins. Readers
 * that know only four fields ignore the fifth (they split on the first three tabs).
 */
public final class XetStores {
    private final Path file;
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<Integer, Path> paths = new HashMap<>();
    private int next;

    private XetStores(final Path file) {
        this.file = file;
    }

    /** Reads the registry in {@code file}, or starts an empty one; lines that do not parse are skipped. */
    public static XetStores open(final Path file) {
        final XetStores stores = new XetStores(file);
        try {
            if (Files.exists(file)) {
                final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (final String line : lines) {
                    final String[] f = line.split("\t", 5);
                    if (f.length < 3) {
                        continue;
                    }
                    try {
                        final int id = Integer.parseInt(f[0]);
                        stores.ids.put(f[1] + "/" + f[2], id);
                        stores.next = Math.max(stores.next, id + 1);
                        if (f.length == 5 && !f[4].isEmpty()) {
                            stores.paths.put(id, Path.of(f[4]));
                        }
                    } catch (final NumberFormatException | InvalidPathException e) {
                        // a line torn by a crash: its store gets a new id (or path) when it is next used
                    }
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read the Xet store registry " + file, e);
        }
        return stores;
    }

    /** The id of file {@code fileIndex} of the torrent {@code infoHash}, assigned and recorded on first use. */
    public synchronized int idOf(final InfoHash infoHash, final int fileIndex, final String relativePath) {
        return idOf(infoHash, fileIndex, relativePath, null);
    }

    /**
     * The id of file {@code fileIndex} of the torrent {@code infoHash}, assigned on first use, with the file's
     * absolute path recorded (again, if it changed) so that {@link #pathOf} can find its bytes.
     */
    public synchronized int idOf(final InfoHash infoHash, final int fileIndex, final String relativePath,
                                 final Path absolutePath) {
        final String key = infoHash.hex() + "/" + fileIndex;
        final Integer known = ids.get(key);
        final Path abs = absolutePath == null ? null : absolutePath.toAbsolutePath().normalize();
        if (known != null && (abs == null || abs.equals(paths.get(known)))) {
            return known;
        }
        final int id = known != null ? known : next++;
        final String line = id + "\t" + infoHash.hex() + "\t" + fileIndex + "\t" + relativePath
            + (abs == null ? "" : "\t" + abs) + "\n";
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.SYNC);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot record Xet store " + id + " in " + file, e);
        }
        ids.put(key, id);
        if (abs != null) {
            paths.put(id, abs);
        }
        return id;
    }

    /** The absolute path of store {@code id}'s file, or null if no path was recorded for it. */
    public synchronized Path pathOf(final int id) {
        return paths.get(id);
    }

    /** Stores known. */
    public synchronized int size() {
        return ids.size();
    }
}
