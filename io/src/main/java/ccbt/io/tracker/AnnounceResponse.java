package ccbt.io.tracker;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a tracker answered to an announce.
 *
 * @param interval    how long to wait before the next regular announce
 * @param minInterval the shortest wait the tracker allows for any announce, if it said
 * @param trackerId   an id to send back on the next announce to this tracker, if it gave one
 * @param complete    seeders in the swarm, if the tracker said
 * @param incomplete  leechers in the swarm, if the tracker said
 * @param peers       peer addresses (IPv4 and IPv6 mixed); entries with port 0 have been dropped.
 *                    Dictionary-model peers given by host name are unresolved addresses.
 * @param warning     a {@code warning message}, if any
 */
public record AnnounceResponse(
        Duration interval,
        Optional<Duration> minInterval,
        Optional<String> trackerId,
        OptionalInt complete,
        OptionalInt incomplete,
        List<InetSocketAddress> peers,
        Optional<String> warning) {

    public AnnounceResponse {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(minInterval, "minInterval");
        Objects.requireNonNull(trackerId, "trackerId");
        Objects.requireNonNull(complete, "complete");
        Objects.requireNonNull(incomplete, "incomplete");
        Objects.requireNonNull(warning, "warning");
        peers = List.copyOf(peers);
    }
}
