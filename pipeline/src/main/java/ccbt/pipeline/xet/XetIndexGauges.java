package ccbt.pipeline.xet;

import ccbt.store.dedup.ChunkIndex;
import ccbt.telemetry.Metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.util.function.LongSupplier;

/**
 * The dedup index's figures as gauges: chunks, unique and referenced bytes, the dedup ratio and the index
 * file's size. Counting bytes walks every entry, so the counts are taken at most once per {@code maxAgeMillis}
 * and shared by all gauges of a scrape; the chunk count is Chronicle Map's own and always current.
 */
public final class XetIndexGauges {
    private final ChunkIndex index;
    private final long maxAgeMillis;
    private final LongSupplier clock;
    private ChunkIndex.Stats stats;
    private long takenAt;

    XetIndexGauges(final ChunkIndex index, final long maxAgeMillis, final LongSupplier clock) {
        this.index = index;
        this.maxAgeMillis = maxAgeMillis;
        this.clock = clock;
    }

    /** Registers the gauges of {@code index} in {@code metrics}, counting bytes at most every 30 s. */
    public static XetIndexGauges register(final ChunkIndex index, final Metrics metrics) {
        final XetIndexGauges g = new XetIndexGauges(index, 30_000, System::currentTimeMillis);
        metrics.gauge("ccbt_xet_index_chunks", "Chunks in the dedup index", index::size);
        metrics.gauge("ccbt_xet_index_unique_bytes", "Bytes of the distinct chunks in the dedup index",
            () -> g.stats().bytes());
        metrics.gauge("ccbt_xet_index_referenced_bytes",
            "Bytes the torrents referencing the index's chunks hold (length x references)",
            () -> g.stats().referencedBytes());
        metrics.gauge("ccbt_xet_dedup_ratio", "Referenced bytes per unique byte in the dedup index (1 = no sharing)",
            g::dedupRatio);
        metrics.gauge("ccbt_xet_index_file_bytes", "Size of the dedup index file", g::fileBytes);
        return g;
    }

    /** The index's counts, taken afresh when the last ones are older than the maximum age. */
    synchronized ChunkIndex.Stats stats() {
        final long now = clock.getAsLong();
        if (stats == null || now - takenAt >= maxAgeMillis) {
            stats = index.stats();
            takenAt = now;
        }
        return stats;
    }

    /** Referenced bytes over unique bytes; 1 for an empty index. */
    double dedupRatio() {
        final ChunkIndex.Stats s = stats();
        return s.bytes() == 0 ? 1.0 : (double) s.referencedBytes() / s.bytes();
    }

    long fileBytes() {
        try {
            return Files.size(index.file());
        } catch (final IOException e) {
            return 0;
        }
    }
}
