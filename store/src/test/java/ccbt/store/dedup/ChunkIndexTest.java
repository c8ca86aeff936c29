package ccbt.store.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ChunkIndexTest {
    /** A deterministic 32-byte key for chunk {@code i} (SHA-256 stands in for BLAKE3 here). */
    static byte[] hash(int i) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(("chunk-" + i).getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The location the crash child writes for chunk {@code i}. */
    static ChunkLocation expected(int i) {
        return new ChunkLocation(i % 7, 65_536L * i, 4096 + i % 1000, 1, 1_700_000_000_000L + i);
    }

    @Test
    @Timeout(60)
    void addsReferencesReleasesAndPersists(@TempDir Path dir) {
        Path file = dir.resolve("idx/chunks.cmap");
        byte[] a = hash(1);
        byte[] b = hash(2);
        try (ChunkIndex idx = ChunkIndex.open(file, 10_000)) {
            assertThat(idx.recovered()).isFalse();
            assertThat(idx.get(a)).isNull();
            assertThat(idx.addOrReference(a, 3, 1000, 500, 10)).isEqualTo(new ChunkLocation(3, 1000, 500, 1, 10));
            // A dedup hit keeps the first location and counts the reference.
            assertThat(idx.addOrReference(a, 9, 9999, 500, 20)).isEqualTo(new ChunkLocation(3, 1000, 500, 2, 20));
            assertThat(idx.reference(a, 30)).isEqualTo(3);
            assertThat(idx.reference(b, 30)).isZero();
            assertThat(idx.touch(a, 40)).isTrue();
            assertThat(idx.touch(b, 40)).isFalse();
            idx.addOrReference(b, 1, 0, 10, 50);
            assertThat(idx.release(b)).isZero();
            assertThat(idx.get(b)).isNull();
            assertThat(idx.size()).isEqualTo(1);
            assertThat(Files.exists(dir.resolve("idx/chunks.cmap.open"))).isTrue();
        }
        assertThat(Files.exists(dir.resolve("idx/chunks.cmap.open"))).isFalse();
        try (ChunkIndex idx = ChunkIndex.open(file, 10_000)) {
            assertThat(idx.recovered()).isFalse();
            assertThat(idx.get(a)).isEqualTo(new ChunkLocation(3, 1000, 500, 3, 40));
            assertThat(idx.release(a)).isEqualTo(2);
        }
    }

    @Test
    @Timeout(60)
    void refusesASecondOpenOfALiveIndex(@TempDir Path dir) {
        Path file = dir.resolve("c.cmap");
        try (ChunkIndex idx = ChunkIndex.open(file, 100)) {
            idx.addOrReference(hash(1), 1, 0, 10, 0);
            assertThatThrownBy(() -> ChunkIndex.open(file, 100)).hasMessageContaining("already open");
            assertThat(idx.get(hash(1))).isNotNull();
        }
        try (ChunkIndex idx = ChunkIndex.open(file, 100)) {
            assertThat(idx.recovered()).isFalse();
            assertThat(idx.get(hash(1)).refCount()).isEqualTo(1);
        }
    }

    @Test
    @Timeout(60)
    void rejectsBadKeysAndLocations(@TempDir Path dir) {
        try (ChunkIndex idx = ChunkIndex.open(dir.resolve("c.cmap"), 100)) {
            assertThatThrownBy(() -> idx.get(new byte[20])).hasMessageContaining("20 bytes");
            assertThatThrownBy(() -> idx.addOrReference(hash(1), 0, -1, 10, 0)).hasMessageContaining("-1");
        }
        assertThatThrownBy(() -> ChunkIndex.open(dir.resolve("d.cmap"), 0)).hasMessageContaining("0");
    }

    @Test
    @Timeout(60)
    void concurrentReferencesAreNotLost(@TempDir Path dir) throws Exception {
        try (ChunkIndex idx = ChunkIndex.open(dir.resolve("c.cmap"), 10_000)) {
            int threads = 3;
            int keys = 20;
            int rounds = 100;
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    for (int r = 0; r < rounds; r++) {
                        for (int k = 0; k < keys; k++) {
                            idx.addOrReference(hash(k), 1, k, 100, r);
                        }
                    }
                });
                ts.add(th);
                th.start();
            }
            for (Thread t : ts) {
                t.join();
            }
            for (int k = 0; k < keys; k++) {
                assertThat(idx.get(hash(k)).refCount()).isEqualTo(threads * rounds);
            }
        }
    }

    /**
     * A child JVM fills the index and is killed with SIGKILL mid-stream; every entry it acknowledged before
     * the kill must be there, intact, when the index is reopened (through recovery).
     */
    @Test
    @Timeout(240) // two JVM starts and a Chronicle Map recovery; slow when the machine is shared
    void survivesKillMinus9(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("chunks.cmap");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ChunkIndexCrashChild.class.getName());
        cmd.add(file.toString());
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        int acked = -1;
        List<String> seen = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acked = Integer.parseInt(line.substring(4));
                    if (acked >= 1000) {
                        break;
                    }
                } else if (seen.size() < 50) {
                    seen.add(line);
                }
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close()
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(acked).as("child output: %s", seen).isGreaterThanOrEqualTo(1000);
        assertThat(Files.exists(dir.resolve("chunks.cmap.open"))).isTrue();

        try (ChunkIndex idx = ChunkIndex.open(file, ChunkIndexCrashChild.ENTRIES)) {
            assertThat(idx.recovered()).isTrue();
            assertThat(idx.size()).isGreaterThanOrEqualTo(acked);
            for (int i = 0; i < acked; i++) {
                assertThat(idx.get(hash(i))).as("chunk %d", i).isEqualTo(expected(i));
            }
            // And it is usable after recovery.
            assertThat(idx.reference(hash(0), 5)).isEqualTo(2);
        }
        try (ChunkIndex idx = ChunkIndex.open(file, ChunkIndexCrashChild.ENTRIES)) {
            assertThat(idx.recovered()).isFalse();
            assertThat(idx.get(hash(0)).refCount()).isEqualTo(2);
        }
    }

    @Test
    void cleanupRemovesChunksNotAccessedSinceTheCutoffAndStatsCountWhatIsLeft(@TempDir Path dir) {
        try (ChunkIndex index = ChunkIndex.open(dir.resolve("idx"), 1000)) {
            index.addOrReference(hash(1), 1, 0, 100, 1_000);
            index.addOrReference(hash(2), 1, 100, 200, 5_000);
            index.addOrReference(hash(2), 2, 0, 200, 6_000);
            index.addOrReference(hash(3), 2, 200, 300, 9_000);
            assertThat(index.stats()).isEqualTo(new ChunkIndex.Stats(3, 600, 4, 100 + 2 * 200 + 300));
            assertThat(index.removeAccessedBefore(6_000)).isEqualTo(1);
            assertThat(index.get(hash(1))).isNull();
            assertThat(index.get(hash(2))).isNotNull();
            assertThat(index.stats()).isEqualTo(new ChunkIndex.Stats(2, 500, 3, 2 * 200 + 300));
        }
    }
}
