package ccbt.pipeline.xet;

import ccbt.core.InfoHash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The numbering of the places chunk bytes live in, for the dedup index's fixed-size location records:
 * store {@code n} is one file of one torrent. Kept as an append-only text file (one line per store:
 * id, info-hash, file index, path under the torrent's directory) so that ids survive restarts.
 */
public final class XetStores {
    private final Path file;
    private final Map<String, Integer> ids = new HashMap<>();
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
                    final String[] f = line.split("\t", 4);
                    if (f.length < 3) {
                        continue;
                    }
                    try {
                        final int id = Integer.parseInt(f[0]);
                        stores.ids.put(f[1] + "/" + f[2], id);
                        stores.next = Math.max(stores.next, id + 1);
                    } catch (final NumberFormatException e) {
                        // a line torn by a crash: its store gets a new id when it is next used
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
        final String key = infoHash.hex() + "/" + fileIndex;
        final Integer known = ids.get(key);
        if (known != null) {
            return known;
        }
        final int id = next++;
        final String line = id + "\t" + infoHash.hex() + "\t" + fileIndex + "\t" + relativePath + "\n";
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.SYNC);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot record Xet store " + id + " in " + file, e);
        }
        ids.put(key, id);
        return id;
    }

    /** Stores known. */
    public synchronized int size() {
        return ids.size();
    }
}
