package ccbt.core.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleDatasetTest {
    @TempDir
    Path tmp;

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() throws Exception {
        final Map<String, Long> layout = SampleDataset.standardLayout("set", 3_000_000, 3);
        assertThat(layout.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(3_000_000);
        assertThat(layout).containsEntry("set/empty.dat", 0L);
        SampleDataset.write(tmp.resolve("a"), layout, 1);
        SampleDataset.write(tmp.resolve("b"), layout, 1);
        SampleDataset.write(tmp.resolve("c"), layout, 2);
        assertThat(SampleDataset.sha256Tree(tmp.resolve("a"))).isEqualTo(SampleDataset.sha256Tree(tmp.resolve("b")))
            .hasSize(layout.size());
        assertThat(SampleDataset.sha256Tree(tmp.resolve("c"))).isNotEqualTo(SampleDataset.sha256Tree(tmp.resolve("a")));
        for (final Map.Entry<String, Long> f : layout.entrySet()) {
            assertThat(Files.size(tmp.resolve("a").resolve(f.getKey()))).isEqualTo(f.getValue());
        }
    }
}
