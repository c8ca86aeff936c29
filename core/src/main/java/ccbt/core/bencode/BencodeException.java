package ccbt.core.bencode;

/** Malformed bencode or a value of the wrong shape; {@link #offset()} is the byte offset in the input, or -1. */
public final class BencodeException extends RuntimeException {
    private final long offset;

    /** An error found at {@code offset} of the decoded input. */
    public BencodeException(String what, long offset) {
        super("bencode: " + what + (offset >= 0 ? " at offset " + offset : ""));
        this.offset = offset;
    }

    /** An error not tied to an input offset (for example a missing dictionary key). */
    public BencodeException(String what) {
        this(what, -1);
    }

    /** The byte offset in the input where the error was found, or -1 if none applies. */
    public long offset() {
        return offset;
    }
}
