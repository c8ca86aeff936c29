package ccbt.store;

/** How {@link PieceStore#open} sizes the files it creates. */
public enum Preallocation {
    /** Set the length only; blocks are allocated as pieces arrive (sparse files). */
    SPARSE,
    /**
     * Reserve every block up front ({@code posix_fallocate}, or writing zeros past the current end where
     * that is unavailable): a full disk shows at open, not in the middle of a download, and files fragment less.
     */
    FULL
}
