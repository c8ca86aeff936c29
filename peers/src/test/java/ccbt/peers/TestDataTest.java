package ccbt.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class TestDataTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(30)
    void multiFileIsDeterministicAndHasTheAdvertisedShape() throws IOException {
        final long total = 3 * 1024 * 1024 + 12_345;
        final Map<String, String> first = TestData.sha256Tree(TestData.multiFile(tmp.resolve("one"), total, 7));
        final Map<String, String> again = TestData.sha256Tree(TestData.multiFile(tmp.resolve("two"), total, 7));
        final Map<String, String> other = TestData.sha256Tree(TestData.multiFile(tmp.resolve("three"), total, 8));

        assertThat(again).isEqualTo(first);
        assertThat(other.keySet()).isEqualTo(first.keySet());
        assertThat(other.get("big.bin")).isNotEqualTo(first.get("big.bin"));
        assertThat(first).hasSizeGreaterThanOrEqualTo(5)
            .containsEntry("empty.bin", TestData.EMPTY_SHA256)
            .containsKeys("a/b/nested-1.bin", "c/deep/er/tail.bin");
        long sum = 0;
        try (var files = Files.walk(tmp.resolve("one"))) {
            for (final Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                sum += Files.size(p);
            }
        }
        assertThat(sum).isEqualTo(total);
        assertThat(Files.size(tmp.resolve("one/small.txt"))).isLessThan(16 * 1024);
        assertThat(TestData.withoutEmptyFiles(first)).doesNotContainKey("empty.bin").hasSize(first.size() - 1);
    }

    @Test
    @Timeout(30)
    void generates64MiBInUnderTwoSeconds() {
        TestData.multiFile(tmp.resolve("warm"), 4 * 1024 * 1024, 1); // JIT warm-up
        final long start = System.nanoTime();
        TestData.multiFile(tmp.resolve("big"), 64L * 1024 * 1024, 1);
        final long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).as("64 MiB generation time in ms").isLessThan(2000);
    }

    @Test
    void contentIsNotTrivial() throws IOException {
        final Path f = tmp.resolve("f");
        TestData.writeRandom(f, 1 << 16, 3);
        final byte[] data = Files.readAllBytes(f);
        final int[] counts = new int[256];
        for (final byte b : data) {
            counts[b & 0xff]++;
        }
        // 65536 uniform bytes: each value ≈ 256 times; a broken generator (zeros, short cycle) fails this
        assertThat(java.util.Arrays.stream(counts).boxed().toList()).allSatisfy(c -> assertThat(c).isBetween(150, 380));
    }

    @Test
    @Timeout(30)
    void treeComparisonNamesMissingWrongAndUnexpectedFiles() throws IOException {
        final Path a = TestData.multiFile(tmp.resolve("a"), TestData.MIN_TOTAL, 5);
        final Path b = TestData.multiFile(tmp.resolve("b"), TestData.MIN_TOTAL, 5);
        TestData.assertSameTree(a, b);
        Files.delete(b.resolve("empty.bin"));
        TestData.assertSameTreeIgnoringEmptyFiles(a, b);
        Files.write(b.resolve("small.txt"), new byte[] {1, 2, 3});
        Files.write(b.resolve("extra.bin"), new byte[] {4});
        assertThatThrownBy(() -> TestData.assertSameTree(a, b))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("missing empty.bin")
            .hasMessageContaining("wrong content small.txt")
            .hasMessageContaining("unexpected extra.bin");
    }

    @Test
    void rejectsTooSmallTotals() {
        assertThatThrownBy(() -> TestData.multiFile(tmp, 100, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("totalBytes=100");
    }
}
