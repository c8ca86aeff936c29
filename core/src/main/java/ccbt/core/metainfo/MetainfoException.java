package ccbt.core.metainfo;

/** A .torrent file, info dictionary or magnet URI that is malformed or hostile; the message names the field. */
public final class MetainfoException extends RuntimeException {
    public MetainfoException(String message) {
        super(message);
    }

    public MetainfoException(String message, Throwable cause) {
        super(message, cause);
    }
}
