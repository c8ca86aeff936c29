package ccbt.io.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.InfoHash;
import ccbt.core.PeerId;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TrackerTiersTest {
    private static final AnnounceRequest REQUEST = AnnounceRequest.started(
            InfoHash.fromHex("0123456789abcdef0123456789abcdef01234567"), PeerId.generate(), 6881, 10);

    private static AnnounceResponse ok(Optional<String> trackerId) {
        return new AnnounceResponse(Duration.ofMinutes(30), Optional.empty(), trackerId, OptionalInt.empty(),
                OptionalInt.empty(), List.of(), Optional.empty());
    }

    /** Answers for the trackers in {@code answering}, fails for the others; records every call. */
    private static final class Scripted implements Announcer {
        final List<String> calls = new ArrayList<>();
        final List<AnnounceRequest> requests = new ArrayList<>();
        final Map<String, Optional<String>> answering;

        Scripted(Map<String, Optional<String>> answering) {
            this.answering = answering;
        }

        @Override
        public synchronized CompletableFuture<AnnounceResponse> announce(URI tracker, AnnounceRequest request) {
            calls.add(tracker.toString());
            requests.add(request);
            Optional<String> id = answering.get(tracker.toString());
            return id != null ? CompletableFuture.completedFuture(ok(id))
                    : CompletableFuture.failedFuture(TrackerException.failed(tracker.toString(), "down"));
        }
    }

    private static List<List<String>> strings(List<List<URI>> tiers) {
        return tiers.stream().map(t -> t.stream().map(URI::toString).toList()).toList();
    }

    @Test
    void shufflesWithinTiersOnlyAndReproduciblyForASeed() {
        List<List<String>> list = List.of(
                List.of("http://a/announce", "http://b/announce", "http://c/announce", "http://d/announce"),
                List.of("udp://e:1", "udp://f:1"));
        List<List<String>> first = strings(TrackerTiers.of(list, Optional.empty(), new Random(1)).tiers());
        List<List<String>> again = strings(TrackerTiers.of(list, Optional.empty(), new Random(1)).tiers());

        assertThat(first).isEqualTo(again);
        assertThat(first.get(0)).containsExactlyInAnyOrderElementsOf(list.get(0));
        assertThat(first.get(1)).containsExactlyInAnyOrderElementsOf(list.get(1));
        // Over a few seeds, the first tier is not always in its original order.
        boolean reordered = false;
        for (int seed = 0; seed < 10 && !reordered; seed++) {
            reordered = !strings(TrackerTiers.of(list, Optional.empty(), new Random(seed)).tiers()).get(0)
                    .equals(list.get(0));
        }
        assertThat(reordered).isTrue();
    }

    @Test
    void fallsBackToTheSingleAnnounceUrlAndLeavesOutUnusableOnes() {
        TrackerTiers single = TrackerTiers.of(List.of(), Optional.of("udp://t:6969/announce"), new Random(0));
        assertThat(strings(single.tiers())).containsExactly(List.of("udp://t:6969/announce"));

        TrackerTiers mixed = TrackerTiers.of(List.of(List.of("wss://x/announce", "http://ok/announce",
                "not a url", "http://ok/announce"), List.of("ftp://y/")), Optional.empty(), new Random(0));
        assertThat(strings(mixed.tiers())).containsExactly(List.of("http://ok/announce"));
        assertThat(mixed.rejected()).containsExactly("wss://x/announce", "not a url", "ftp://y/");
    }

    @Test
    void triesInOrderAndMovesTheAnsweringTrackerToTheFrontOfItsTier() throws Exception {
        List<List<String>> list = List.of(List.of("http://a/", "http://b/", "http://c/"), List.of("http://d/"));
        TrackerTiers tiers = TrackerTiers.of(list, Optional.empty(), new Random(3));
        List<String> tier0 = strings(tiers.tiers()).get(0);
        String answering = tier0.get(2);
        Scripted client = new Scripted(Map.of(answering, Optional.empty()));
        assertThat(tiers.lastAnswered()).isEmpty();

        TrackerTiers.Result r = tiers.announce(client, REQUEST).get(5, TimeUnit.SECONDS);
        assertThat(tiers.lastAnswered()).contains(URI.create(answering));

        assertThat(r.tracker().toString()).isEqualTo(answering);
        assertThat(client.calls).containsExactlyElementsOf(tier0);
        assertThat(strings(tiers.tiers()).get(0))
                .containsExactly(answering, tier0.get(0), tier0.get(1));
        // Next time it is tried first.
        client.calls.clear();
        tiers.announce(client, REQUEST).get(5, TimeUnit.SECONDS);
        assertThat(client.calls).containsExactly(answering);
    }

    @Test
    void goesToTheNextTierWhenAWholeTierFails() throws Exception {
        TrackerTiers tiers = TrackerTiers.of(List.of(List.of("http://a/", "http://b/"), List.of("udp://c:1/")),
                Optional.empty(), new Random(0));
        Scripted client = new Scripted(Map.of("udp://c:1/", Optional.empty()));

        assertThat(tiers.announce(client, REQUEST).get(5, TimeUnit.SECONDS).tracker())
                .isEqualTo(URI.create("udp://c:1/"));
        assertThat(client.calls).hasSize(3).endsWith("udp://c:1/");
        assertThat(strings(tiers.tiers()).get(1)).containsExactly("udp://c:1/");
    }

    @Test
    void failsWithEveryTrackersReasonWhenNoneAnswers() {
        TrackerTiers tiers = TrackerTiers.of(List.of(List.of("http://a/"), List.of("http://b/")),
                Optional.empty(), new Random(0));
        CompletableFuture<TrackerTiers.Result> f = tiers.announce(new Scripted(Map.of()), REQUEST);

        Throwable t = null;
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            t = e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(t).isInstanceOf(TrackerException.class).hasMessage("tracker 2 trackers failed: no tracker "
                + "answered; tracker http://a/ failed: down; tracker http://b/ failed: down");
        assertThat(t.getSuppressed()).hasSize(2);
    }

    @Test
    void sendsBackTheTrackerIdEachTrackerGave() throws Exception {
        TrackerTiers tiers = TrackerTiers.of(List.of(List.of("http://a/")), Optional.empty(), new Random(0));
        Scripted client = new Scripted(Map.of("http://a/", Optional.of("xyz")));
        tiers.announce(client, REQUEST).get(5, TimeUnit.SECONDS);
        tiers.announce(client, REQUEST).get(5, TimeUnit.SECONDS);

        assertThat(client.requests.get(0).trackerId()).isEmpty();
        assertThat(client.requests.get(1).trackerId()).contains("xyz");
    }

    @Test
    void aTorrentWithoutTrackersFailsClearly() {
        TrackerTiers tiers = TrackerTiers.of(List.of(), Optional.empty(), new Random(0));
        assertThat(tiers.isEmpty()).isTrue();
        assertThat(tiers.announce(new Scripted(Map.of()), REQUEST)).isCompletedExceptionally();
    }
}
