package ccbt.io.tracker;

import java.io.IOException;

/**
 * A tracker did not give a usable answer: it reported a failure, replied with something malformed, or did not
 * reply. The message always names the tracker: {@code "tracker http://t.example/announce failed: <reason>"}.
 */
public final class TrackerException extends IOException {
    private final String tracker;
    private final String reason;
    private final boolean refused;

    private TrackerException(String tracker, String reason, boolean refused, Throwable cause) {
        super("tracker " + tracker + " failed: " + reason, cause);
        this.tracker = tracker;
        this.reason = reason;
        this.refused = refused;
    }

    /** The tracker answered with a failure of its own ({@code failure reason}, BEP 15 error action). */
    public static TrackerException refused(String tracker, String failureReason) {
        return new TrackerException(tracker, failureReason, true, null);
    }

    /** The tracker's reply was malformed, it did not reply, or the transport failed. */
    public static TrackerException failed(String tracker, String reason) {
        return new TrackerException(tracker, reason, false, null);
    }

    /** As {@link #failed(String, String)}, keeping the underlying cause. */
    public static TrackerException failed(String tracker, String reason, Throwable cause) {
        return new TrackerException(tracker, reason, false, cause);
    }

    /** The tracker URL. */
    public String tracker() {
        return tracker;
    }

    /** The reason without the tracker prefix. */
    public String reason() {
        return reason;
    }

    /** True if the tracker itself answered with a failure, false for malformed replies, timeouts and I/O errors. */
    public boolean refused() {
        return refused;
    }
}
