package ccbt.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Recursive delete for the harness's temporary directories. */
final class Dirs {
    private Dirs() {
    }

    /** Deletes {@code dir} and everything under it; problems are ignored (it is a temp dir). */
    static void deleteQuietly(final Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover temp file is not worth failing a test for
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }
}
