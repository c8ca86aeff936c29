package ccbt.io.tracker;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/** Something that can announce to a tracker URL; {@link TrackerClient} is the real one. */
@FunctionalInterface
public interface Announcer {
    /** Announces {@code request} to {@code tracker}; the future fails with {@link TrackerException}. */
    CompletableFuture<AnnounceResponse> announce(URI tracker, AnnounceRequest request);
}
