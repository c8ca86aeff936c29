package ccbt.io.tracker;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;

/**
 * A torrent's trackers as BEP 12 orders them: tiers tried in order, trackers within a tier shuffled once when the
 * list is built, and a tracker that answers moved to the front of its tier so that it is tried first next time.
 * Also remembers the {@code tracker id} each tracker handed out, to send it back. Thread-safe.
 */
public final class TrackerTiers {

    /** The tracker that answered, and its answer. */
    public record Result(URI tracker, AnnounceResponse response) {}

    private static final Set<String> SCHEMES = Set.of("http", "https", "udp");

    private final List<List<URI>> tiers;
    private final List<String> rejected;
    private final Map<URI, String> trackerIds = new HashMap<>();
    private URI lastAnswered;

    private TrackerTiers(List<List<URI>> tiers, List<String> rejected) {
        this.tiers = tiers;
        this.rejected = List.copyOf(rejected);
    }

    /**
     * Builds the tiers from a torrent's {@code announce-list} (BEP 12) or, when that is empty, its single
     * {@code announce} URL. URLs that do not parse or have a scheme other than http, https or udp are left out and
     * listed by {@link #rejected()}; duplicates keep their first place. Each tier is shuffled with {@code random}.
     */
    public static TrackerTiers of(List<List<String>> announceList, Optional<String> announce,
            RandomGenerator random) {
        List<String> rejected = new ArrayList<>();
        Set<URI> seen = new LinkedHashSet<>();
        List<List<URI>> tiers = new ArrayList<>();
        List<List<String>> source = announceList.isEmpty() && announce.isPresent()
                ? List.of(List.of(announce.get()))
                : announceList;
        for (List<String> tier : source) {
            List<URI> t = new ArrayList<>();
            for (String url : tier) {
                Optional<URI> uri = parse(url);
                if (uri.isEmpty()) {
                    rejected.add(url);
                } else if (seen.add(uri.get())) {
                    t.add(uri.get());
                }
            }
            if (!t.isEmpty()) {
                shuffle(t, random);
                tiers.add(t);
            }
        }
        return new TrackerTiers(tiers, rejected);
    }

    private static Optional<URI> parse(String url) {
        try {
            URI u = new URI(url.strip());
            if (u.getScheme() == null || !SCHEMES.contains(u.getScheme().toLowerCase(Locale.ROOT))
                    || u.getHost() == null) {
                return Optional.empty();
            }
            return Optional.of(u);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** Fisher–Yates with the injected generator, so that tests can fix the order. */
    private static void shuffle(List<URI> list, RandomGenerator random) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, random.nextInt(i + 1));
        }
    }

    /** The tiers in their current order (a copy). */
    public synchronized List<List<URI>> tiers() {
        List<List<URI>> copy = new ArrayList<>(tiers.size());
        for (List<URI> t : tiers) {
            copy.add(List.copyOf(t));
        }
        return List.copyOf(copy);
    }

    /** The URLs left out because they were malformed or of an unsupported scheme. */
    public List<String> rejected() {
        return rejected;
    }

    /**
     * The tracker that answered last, if any: where a {@code stopped} or {@code completed} announce belongs,
     * since that tracker holds our peer entry.
     */
    public synchronized Optional<URI> lastAnswered() {
        return Optional.ofNullable(lastAnswered);
    }

    /** Whether there is no usable tracker at all. */
    public synchronized boolean isEmpty() {
        return tiers.isEmpty();
    }

    /**
     * Announces to the trackers one after the other in tier order until one answers; that one moves to the front
     * of its tier. Fails with a {@link TrackerException} carrying every tracker's failure as suppressed exceptions
     * when none answers.
     */
    public CompletableFuture<Result> announce(Announcer client, AnnounceRequest request) {
        List<URI> order;
        synchronized (this) {
            order = new ArrayList<>();
            tiers.forEach(order::addAll);
        }
        if (order.isEmpty()) {
            return CompletableFuture.failedFuture(
                    TrackerException.failed("(none)", "the torrent has no usable tracker"));
        }
        return Futures.unwrapped(attempt(client, request, order, 0, new ArrayList<>()));
    }

    private CompletableFuture<Result> attempt(Announcer client, AnnounceRequest request, List<URI> order,
            int index, List<Throwable> failures) {
        if (index == order.size()) {
            StringBuilder reasons = new StringBuilder("no tracker answered");
            for (Throwable f : failures) {
                reasons.append("; ").append(f.getMessage());
            }
            TrackerException all = TrackerException.failed(order.size() + " trackers", reasons.toString());
            failures.forEach(all::addSuppressed);
            return CompletableFuture.failedFuture(all);
        }
        URI tracker = order.get(index);
        AnnounceRequest withId = request.withTrackerId(Optional.ofNullable(trackerId(tracker)));
        CompletableFuture<AnnounceResponse> call;
        try {
            call = client.announce(tracker, withId);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((response, error) -> {
            if (error == null) {
                answered(tracker, response);
                return CompletableFuture.completedFuture(new Result(tracker, response));
            }
            failures.add(Futures.cause(error));
            return attempt(client, request, order, index + 1, failures);
        }).thenCompose(f -> f);
    }

    private synchronized String trackerId(URI tracker) {
        return trackerIds.get(tracker);
    }

    private synchronized void answered(URI tracker, AnnounceResponse response) {
        lastAnswered = tracker;
        response.trackerId().ifPresent(id -> trackerIds.put(tracker, id));
        for (List<URI> tier : tiers) {
            int at = tier.indexOf(tracker);
            if (at > 0) {
                tier.remove(at);
                tier.addFirst(tracker);
            }
        }
    }
}
