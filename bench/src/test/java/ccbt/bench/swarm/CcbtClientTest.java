package ccbt.bench.swarm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CcbtClientTest {
    @TempDir
    Path root;

    private Path target() throws Exception {
        final Path target = Files.createDirectories(root.resolve("app/target"));
        Files.writeString(target.resolve("ccbt.jar"), "jar");
        Files.writeString(target.resolve("ccbt.aot"), "cache");
        Files.writeString(target.resolve("ccbt-launch.args"),
            "/jdk/bin/java\n--add-opens=java.base/java.lang=ALL-UNNAMED\n-XX:AOTCache=/x/ccbt.aot\n-jar\n/x/ccbt.jar\n");
        return target;
    }

    @Test
    void usesTheLaunchLineOfAFreshAotCache() throws Exception {
        final Path target = target();
        Files.setLastModifiedTime(target.resolve("ccbt.jar"), FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
        Files.setLastModifiedTime(target.resolve("ccbt.aot"), FileTime.from(Instant.parse("2026-01-01T00:01:00Z")));
        assertThat(CcbtClient.aotLauncher(root)).containsExactly("/jdk/bin/java",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "-XX:AOTCache=/x/ccbt.aot", "-jar", "/x/ccbt.jar");
    }

    @Test
    void ignoresACacheOlderThanTheJarOrMissingPieces() throws Exception {
        final Path target = target();
        Files.setLastModifiedTime(target.resolve("ccbt.aot"), FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
        Files.setLastModifiedTime(target.resolve("ccbt.jar"), FileTime.from(Instant.parse("2026-01-01T00:01:00Z")));
        assertThat(CcbtClient.aotLauncher(root)).isNull();
        Files.setLastModifiedTime(target.resolve("ccbt.aot"), FileTime.from(Instant.parse("2026-01-01T00:02:00Z")));
        assertThat(CcbtClient.aotLauncher(root)).isNotNull();
        Files.delete(target.resolve("ccbt-launch.args"));
        assertThat(CcbtClient.aotLauncher(root)).isNull();
        assertThat(CcbtClient.aotLauncher(null)).isNull();
    }

    @Test
    void everyCommandRunsWithTheRecordedLauncher() {
        final List<String> withCache = List.of("java", "-XX:AOTCache=/x/ccbt.aot", "-jar", "/x/ccbt.jar");
        assertThat(CcbtClient.commandLine(withCache, List.of("recheck", "t.torrent", "dir"))).containsExactly("java",
            "-XX:AOTCache=/x/ccbt.aot", "-jar", "/x/ccbt.jar", "recheck", "t.torrent", "dir");
        assertThat(CcbtClient.commandLine(withCache, List.of("download", "t.torrent")))
            .containsExactly("java", "-XX:AOTCache=/x/ccbt.aot", "-jar", "/x/ccbt.jar", "download", "t.torrent");
        assertThat(CcbtClient.commandLine(List.of("java", "-jar", "/x/ccbt.jar"), List.of("recheck", "t", "d")))
            .containsExactly("java", "-jar", "/x/ccbt.jar", "recheck", "t", "d");
    }
}
