package ccbt.app;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Base of the tests that run {@code ccbt} command lines in-process and read what the last one printed. */
abstract class CommandLineTest {
    @TempDir
    Path tmp;

    /** Standard output and error of the last {@link #ccbt} call. */
    String out;
    String err;

    /** Runs one command line through {@link CliRun}; returns its exit code. */
    int ccbt(final String... args) {
        final CliRun run = CliRun.of(args);
        out = run.out();
        err = run.err();
        return run.exitCode();
    }
}
