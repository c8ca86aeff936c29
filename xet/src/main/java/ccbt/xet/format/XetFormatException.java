package ccbt.xet.format;

/** Malformed Xet data: a truncated, oversized or inconsistent xorb, chunk or chunk list. */
public final class XetFormatException extends RuntimeException {
    public XetFormatException(String message) {
        super(message);
    }

    public XetFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
