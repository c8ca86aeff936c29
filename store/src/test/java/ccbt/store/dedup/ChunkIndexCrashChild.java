package ccbt.store.dedup;

/**
 * Child process of {@link ChunkIndexTest#survivesKillMinus9}: indexes chunks 0, 1, 2, ... and prints
 * "ACK n" once chunks below n are in the map, until it is killed (or a bounded count and time run out).
 */
public final class ChunkIndexCrashChild {
    static final int ENTRIES = 20_000;

    private ChunkIndexCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        ChunkIndex idx = ChunkIndex.open(java.nio.file.Path.of(args[0]), ENTRIES);
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (int i = 0; i < ENTRIES && System.nanoTime() < deadline; i++) {
            ChunkLocation l = ChunkIndexTest.expected(i);
            idx.addOrReference(ChunkIndexTest.hash(i), l.storeId(), l.offset(), l.length(), l.lastAccessMillis());
            if ((i + 1) % 100 == 0) {
                System.out.println("ACK " + (i + 1));
                System.out.flush();
            }
        }
        // Never closes: the parent kills it. If it is not killed, it exits uncleanly after the deadline.
        Thread.sleep(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
        Runtime.getRuntime().halt(3);
    }
}
