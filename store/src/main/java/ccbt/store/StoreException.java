package ccbt.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A storage failure, naming the file it concerns. Unchecked: the disk-write stage reports it for the
 * piece at hand (which is then not marked verified) instead of every caller declaring it.
 */
public final class StoreException extends RuntimeException {
    private final Path file;

    public StoreException(final String message, final Path file, final Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    public StoreException(final String message, final Path file) {
        this(message, file, null);
    }

    /** The file concerned, or null when the failure is not about one file. */
    public Path file() {
        return file;
    }

    /** True if the cause is the device running out of space (ENOSPC). */
    public boolean isDiskFull() {
        for (Throwable t = this; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left")) {
                return true;
            }
        }
        return false;
    }

    static StoreException io(final String what, final Path file, final IOException e) {
        final String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new StoreException(what + " " + file + ": " + reason, file, e);
    }
}
