package ccbt.core.metainfo;

import java.util.List;

/**
 * One file of a torrent, in torrent order.
 *
 * @param path the sanitized path relative to the download directory: for a multi-file torrent the torrent's
 *     name comes first (it is the top directory), then the components of the file's {@code path}; for a
 *     single-file torrent it is just {@code [name]}
 * @param length the file's length in bytes
 * @param offset the file's first byte in the torrent's concatenated data
 * @param padFile whether this is a BEP 47 pad file (attr contains 'p'): its bytes are zeros and are not stored
 */
public record FileEntry(List<String> path, long length, long offset, boolean padFile) {
    public FileEntry {
        path = List.copyOf(path);
        if (path.isEmpty() || length < 0 || offset < 0) {
            throw new IllegalArgumentException("invalid file entry: path=" + path + " length=" + length + " offset=" + offset);
        }
    }

    /** The path joined by '/': {@code name/dir/file} for multi-file torrents, {@code name} for single-file ones. */
    public String relativePath() {
        return String.join("/", path);
    }

    /** Offset just past the file's last byte in the torrent's data. */
    public long end() {
        return offset + length;
    }
}
