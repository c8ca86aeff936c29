package ccbt.store;

/**
 * One file of a torrent as the store sees it: its path relative to the download root ({@code /}
 * separated, as in the metainfo), its length, and whether it is a BEP 47 pad file (never created,
 * read as zeros).
 */
public record StoredFile(String relativePath, long length, boolean padFile) {
    public StoredFile {
        if (relativePath == null) {
            throw new IllegalArgumentException("file path is null");
        }
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length + " of file " + relativePath);
        }
    }

    /** A regular (non-pad) file. */
    public static StoredFile of(final String relativePath, final long length) {
        return new StoredFile(relativePath, length, false);
    }
}
