package ccbt.io.tracker;

import ccbt.core.InfoHash;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The one tracker client the engine uses: picks the HTTP or the UDP protocol by the URL's scheme ({@code http},
 * {@code https}, {@code udp}). Futures fail with {@link TrackerException}; an unsupported scheme is one too.
 */
public final class TrackerClient implements Announcer, AutoCloseable {
    private final HttpTrackerClient http;
    private final UdpTrackerClient udp;

    /** Wraps the two protocol clients; {@link #close()} closes both. */
    public TrackerClient(HttpTrackerClient http, UdpTrackerClient udp) {
        this.http = Objects.requireNonNull(http, "http");
        this.udp = Objects.requireNonNull(udp, "udp");
    }

    /** A client with default HTTP settings and BEP 15 UDP timing on an ephemeral port of every address. */
    public static TrackerClient open() throws IOException {
        return new TrackerClient(new HttpTrackerClient(), UdpTrackerClient.open());
    }

    @Override
    public CompletableFuture<AnnounceResponse> announce(URI tracker, AnnounceRequest request) {
        return switch (scheme(tracker)) {
            case "http", "https" -> http.announce(tracker, request);
            case "udp" -> udp.announce(tracker, request);
            default -> unsupported(tracker);
        };
    }

    /** Scrapes the given torrents from the tracker (for UDP, at most 74 per call). */
    public CompletableFuture<ScrapeResponse> scrape(URI tracker, List<InfoHash> infoHashes) {
        return switch (scheme(tracker)) {
            case "http", "https" -> http.scrape(tracker, infoHashes);
            case "udp" -> udp.scrape(tracker, infoHashes);
            default -> unsupported(tracker);
        };
    }

    private static String scheme(URI tracker) {
        return tracker == null || tracker.getScheme() == null ? "" : tracker.getScheme().toLowerCase(Locale.ROOT);
    }

    private static <T> CompletableFuture<T> unsupported(URI tracker) {
        return CompletableFuture.failedFuture(TrackerException.failed(String.valueOf(tracker),
                "unsupported tracker scheme (http, https and udp are)"));
    }

    @Override
    public void close() {
        http.close();
        udp.close();
    }
}
