package ccbt.app;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.InfoHash;
import ccbt.pipeline.xet.XetStores;
import ccbt.store.dedup.ChunkIndex;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ccbt xet stats}: what the dedup index under --state-dir saves. */
class XetStatsTest extends CommandLineTest {
    private static byte[] hash(final int i) {
        final byte[] h = new byte[ChunkIndex.HASH_LENGTH];
        Arrays.fill(h, (byte) i);
        return h;
    }

    /**
     * Three chunks: 1000 bytes referenced once, 2000 bytes three times, 500 bytes twice. Unique 3500,
     * referenced 1000 + 6000 + 1000 = 8000, saved 4500, ratio 8000 / 3500; two stores.
     */
    private Path stateWithIndex() {
        final Path state = tmp.resolve("state");
        try (ChunkIndex index = ChunkIndex.open(state.resolve("xet/chunks.cmap"), 1000)) {
            index.addOrReference(hash(1), 0, 0, 1000, 1);
            index.addOrReference(hash(2), 0, 1000, 2000, 1);
            index.addOrReference(hash(2), 1, 0, 2000, 2);
            index.addOrReference(hash(2), 1, 5000, 2000, 3);
            index.addOrReference(hash(3), 1, 2000, 500, 1);
            index.addOrReference(hash(3), 0, 3000, 500, 4);
        }
        final XetStores stores = XetStores.open(state.resolve("xet/stores.tsv"));
        final InfoHash ih = InfoHash.of(new byte[InfoHash.LENGTH]);
        stores.idOf(ih, 0, "set/a.bin");
        stores.idOf(ih, 1, "set/b.bin");
        return state;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void countsUniqueAndReferencedBytesTheRatioAndTheSaving() throws Exception {
        final Path state = stateWithIndex();
        final long fileBytes = Files.size(state.resolve("xet/chunks.cmap"));
        assertThat(ccbt("xet", "stats", "--state-dir", state.toString())).as(err).isZero();
        assertThat(out)
            .contains("index:       " + state.resolve("xet/chunks.cmap") + ", " + Units.bytes(fileBytes))
            .contains("chunks:      3\n")
            .contains("unique:      " + Units.bytes(3500) + " (3500 bytes, each chunk once)")
            .contains("referenced:  " + Units.bytes(8000) + " (8000 bytes in 6 references)")
            .contains("dedup ratio: 2.29")
            .contains("saved:       " + Units.bytes(4500) + " (4500 bytes)")
            .contains("stores:      2 files of torrents");

        assertThat(ccbt("xet", "stats", "--state-dir", state.toString(), "--json")).as(err).isZero();
        final JsonNode json = new ObjectMapper().readTree(out);
        assertThat(json.get("index").asText()).isEqualTo(state.resolve("xet/chunks.cmap").toString());
        assertThat(json.get("exists").asBoolean()).isTrue();
        assertThat(json.get("recovered").asBoolean()).isFalse();
        assertThat(json.get("indexFileBytes").asLong()).isEqualTo(fileBytes).isPositive();
        assertThat(json.get("chunks").asLong()).isEqualTo(3);
        assertThat(json.get("uniqueBytes").asLong()).isEqualTo(3500);
        assertThat(json.get("references").asLong()).isEqualTo(6);
        assertThat(json.get("referencedBytes").asLong()).isEqualTo(8000);
        assertThat(json.get("savedBytes").asLong()).isEqualTo(4500);
        assertThat(json.get("dedupRatio").asDouble()).isCloseTo(8000.0 / 3500, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(json.get("stores").asInt()).isEqualTo(2);
    }

    @Test
    void withoutAnIndexSaysSoAndReportsZeros() throws Exception {
        final Path state = tmp.resolve("empty-state");
        assertThat(ccbt("xet", "stats", "--state-dir", state.toString())).as(err).isZero();
        assertThat(out).contains("no Xet index yet at " + state.resolve("xet/chunks.cmap"));
        assertThat(ccbt("xet", "stats", "--state-dir", state.toString(), "--json")).as(err).isZero();
        final JsonNode json = new ObjectMapper().readTree(out);
        assertThat(json.get("exists").asBoolean()).isFalse();
        assertThat(json.get("chunks").asLong()).isZero();
        assertThat(json.get("dedupRatio").isNull()).isTrue();
        assertThat(json.get("savedBytes").asLong()).isZero();
        assertThat(state.resolve("xet/chunks.cmap")).as("stats never creates an index").doesNotExist();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anIndexInUseIsRefusedWithItsPath() {
        final Path state = stateWithIndex();
        try (ChunkIndex held = ChunkIndex.open(state.resolve("xet/chunks.cmap"), 1000)) {
            assertThat(ccbt("xet", "stats", "--state-dir", state.toString())).isEqualTo(1);
            assertThat(err).contains(state.resolve("xet/chunks.cmap").toString()).contains("already open");
            assertThat(held.size()).isEqualTo(3);
        }
    }
}
