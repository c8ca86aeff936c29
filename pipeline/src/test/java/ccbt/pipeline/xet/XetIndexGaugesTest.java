package ccbt.pipeline.xet;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.store.dedup.ChunkIndex;
import ccbt.telemetry.Metrics;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XetIndexGaugesTest {
    private static byte[] hash(final int i) {
        final byte[] h = new byte[ChunkIndex.HASH_LENGTH];
        h[0] = (byte) i;
        h[31] = (byte) (i >>> 8);
        return h;
    }

    @Test
    void countsUniqueAndReferencedBytesAndRecountsOnlyWhenStale(@TempDir final Path dir) {
        final AtomicLong now = new AtomicLong(1_000);
        try (ChunkIndex index = ChunkIndex.open(dir.resolve("chunks.cmap"), 1_000)) {
            final XetIndexGauges gauges = new XetIndexGauges(index, 30_000, now::get);
            assertThat(gauges.dedupRatio()).as("empty index").isEqualTo(1.0);

            // one 64 KiB chunk held by two torrents, one 32 KiB chunk held by one
            index.addOrReference(hash(1), 0, 0, 64 * 1024, now.get());
            index.addOrReference(hash(1), 1, 0, 64 * 1024, now.get());
            index.addOrReference(hash(2), 0, 65_536, 32 * 1024, now.get());
            assertThat(gauges.stats().chunks()).as("counts are kept until they are 30 s old").isZero();

            now.addAndGet(30_000);
            assertThat(gauges.stats().bytes()).isEqualTo(96 * 1024);
            assertThat(gauges.stats().referencedBytes()).isEqualTo(160 * 1024);
            assertThat(gauges.dedupRatio()).isEqualTo(160.0 / 96.0);
            assertThat(gauges.fileBytes()).isPositive();
        }
    }

    @Test
    void registersItsGaugesForScraping(@TempDir final Path dir) {
        final Metrics metrics = new Metrics();
        try (ChunkIndex index = ChunkIndex.open(dir.resolve("chunks.cmap"), 1_000)) {
            index.addOrReference(hash(1), 0, 0, 1_000, 1);
            index.addOrReference(hash(1), 1, 0, 1_000, 1);
            XetIndexGauges.register(index, metrics);
            final String text = metrics.scrape();
            assertThat(text).contains("ccbt_xet_index_chunks 1\n").contains("ccbt_xet_index_unique_bytes 1000\n")
                .contains("ccbt_xet_index_referenced_bytes 2000\n").contains("ccbt_xet_dedup_ratio 2\n")
                .contains("ccbt_xet_index_file_bytes");
        }
    }
}
