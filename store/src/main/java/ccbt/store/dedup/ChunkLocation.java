package ccbt.store.dedup;

/**
 * Where a chunk's bytes live: in store {@code storeId} (a torrent's piece store or a xorb file) at
 * {@code offset}, {@code length} bytes; how many references share it; when it was last used (epoch ms).
 */
public record ChunkLocation(int storeId, long offset, int length, int refCount, long lastAccessMillis) {
}
