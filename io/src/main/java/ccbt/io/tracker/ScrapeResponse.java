package ccbt.io.tracker;

import ccbt.core.InfoHash;
import java.util.Map;
import java.util.Optional;

/**
 * Swarm statistics per torrent, from a scrape. A torrent the tracker does not know is absent.
 *
 * @param files the statistics by info-hash
 */
public record ScrapeResponse(Map<InfoHash, Stats> files) {

    public ScrapeResponse {
        files = Map.copyOf(files);
    }

    /**
     * One torrent's counts.
     *
     * @param complete   seeders
     * @param downloaded how many times the torrent was downloaded to completion
     * @param incomplete leechers
     */
    public record Stats(long complete, long downloaded, long incomplete) {
        public Stats {
            if (complete < 0 || downloaded < 0 || incomplete < 0) {
                throw new IllegalArgumentException("negative scrape count: complete=" + complete
                        + " downloaded=" + downloaded + " incomplete=" + incomplete);
            }
        }
    }

    /** The statistics of one torrent, if the tracker reported it. */
    public Optional<Stats> get(InfoHash infoHash) {
        return Optional.ofNullable(files.get(infoHash));
    }
}
