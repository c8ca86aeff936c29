package ccbt.pipeline.session;

/**
 * A snapshot of one torrent for progress lines, the dashboard and metrics.
 *
 * @param verifiedBytes bytes of pieces verified and on disk
 * @param wastedBytes   payload received that was not used (duplicates, unrequested)
 * @param downloadRate  payload bytes per second over the last second
 */
public record TorrentStats(String name, TorrentSession.State state, String error, long verifiedBytes,
                           long totalBytes, long downloadedPayload, long uploadedPayload, long wastedBytes,
                           double downloadRate, double uploadRate, int peers) {

    /** Fraction verified, 0..1 (1 for an empty torrent). */
    public double progress() {
        return totalBytes == 0 ? 1.0 : (double) verifiedBytes / totalBytes;
    }
}
