package ccbt.store.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.CodeSource;
import net.openhft.chronicle.values.Values;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleHeaderClassTest {
    @TempDir
    Path tmp;

    @Test
    void theMapsHeaderClassComesFromTheBuildNotFromJavacAtRunTime() throws Exception {
        try (ChunkIndex index = ChunkIndex.open(tmp.resolve("index"), 1_000)) {
            assertThat(index).isNotNull();
        }
        final Class<?> header = Values.nativeClassFor(Class.forName(ChronicleHeaderClass.HEADER));
        // a class Chronicle compiled at run time is defined from memory: no code source, or one without a location
        final CodeSource source = header.getProtectionDomain().getCodeSource();
        assertThat(source == null ? null : source.getLocation())
            .as("where %s was loaded from", header.getName()).isNotNull();
        assertThat(Path.of(source.getLocation().toURI())).as("where %s was loaded from", header.getName())
            .isEqualTo(Path.of(ChronicleHeaderClass.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    }
}
