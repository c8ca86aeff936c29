package ccbt.core.bencode;

/**
 * Bounds the decoder enforces before it allocates: nesting depth, input size, length of one byte string and
 * the total number of values (keys included).
 */
public record BencodeLimits(int maxDepth, long maxTotalBytes, long maxStringLength, int maxItems) {
    private static final long MIB = 1024 * 1024;

    /** Limits for .torrent files and other local input: depth 64, 64 MiB, 64 MiB strings, 4M values. */
    public static final BencodeLimits DEFAULT = new BencodeLimits(64, 64 * MIB, 64 * MIB, 4 * 1024 * 1024);

    public BencodeLimits {
        if (maxDepth < 1 || maxTotalBytes < 0 || maxStringLength < 0 || maxItems < 1) {
            throw new IllegalArgumentException("invalid bencode limits: depth=" + maxDepth + " total=" + maxTotalBytes
                    + " string=" + maxStringLength + " items=" + maxItems);
        }
    }

    /** Limits for replies from the network (trackers, metadata exchange): depth 16, 4 MiB, 200k values. */
    public static BencodeLimits forTracker() {
        return new BencodeLimits(16, 4 * MIB, 4 * MIB, 200_000);
    }
}
