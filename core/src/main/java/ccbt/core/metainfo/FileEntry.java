package ccbt.core.metainfo;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One file of a torrent, in torrent order.
 *
 * @param path the sanitized path relative to the download directory: for a multi-file torrent the torrent's
 *     name comes first (it is the top directory), then the components of the file's {@code path}; for a
 *     single-file torrent it is just {@code [name]}
 * @param length the file's length in bytes
 * @param offset the file's first byte in the torrent's concatenated data
 * @param padFile whether this is a BEP 47 pad file (attr contains 'p'): its bytes are zeros and are not stored
 * @param xetHash the file's Xet file hash as 32 raw bytes ({@link Metainfo#XET_HASH_KEY}), or null when the
 *     torrent does not carry one for this file; core does not interpret it (the xet module does)
 */
public record FileEntry(List<String> path, long length, long offset, boolean padFile, byte[] xetHash) {
    public FileEntry {
        path = List.copyOf(path);
        if (path.isEmpty() || length < 0 || offset < 0) {
            throw new IllegalArgumentException("invalid file entry: path=" + path + " length=" + length + " offset=" + offset);
        }
        if (xetHash != null) {
            if (xetHash.length != Metainfo.XET_HASH_LENGTH) {
                throw new IllegalArgumentException("xet hash of " + String.join("/", path) + " must be "
                        + Metainfo.XET_HASH_LENGTH + " bytes, got " + xetHash.length);
            }
            xetHash = xetHash.clone();
        }
    }

    /** A file without a Xet hash. */
    public FileEntry(List<String> path, long length, long offset, boolean padFile) {
        this(path, length, offset, padFile, null);
    }

    /** A copy of the 32-byte Xet file hash, or null when the torrent has none for this file. */
    @Override
    public byte[] xetHash() {
        return xetHash == null ? null : xetHash.clone();
    }

    /** Whether the torrent carries a Xet file hash for this file. */
    public boolean hasXetHash() {
        return xetHash != null;
    }

    /** The path joined by '/': {@code name/dir/file} for multi-file torrents, {@code name} for single-file ones. */
    public String relativePath() {
        return String.join("/", path);
    }

    /** Offset just past the file's last byte in the torrent's data. */
    public long end() {
        return offset + length;
    }

    // A record compares array components by reference; the hash is compared by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof FileEntry f && length == f.length && offset == f.offset && padFile == f.padFile
                && path.equals(f.path) && Arrays.equals(xetHash, f.xetHash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, length, offset, padFile) * 31 + Arrays.hashCode(xetHash);
    }

    @Override
    public String toString() {
        return "FileEntry[" + relativePath() + " length=" + length + " offset=" + offset
                + (padFile ? " pad" : "") + (xetHash != null ? " xet" : "") + "]";
    }
}
