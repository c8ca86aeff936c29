package ccbt.pipeline.session;

import ccbt.io.tracker.AnnounceRequest;
import ccbt.io.tracker.AnnounceRequest.Event;
import ccbt.io.tracker.AnnounceSchedule;
import ccbt.io.tracker.Announcer;
import ccbt.io.tracker.TrackerTiers;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The tracker side of one torrent: STARTED when it begins, regular announces at the tracker's interval
 * (with back-off on failures), COMPLETED when the download finishes and STOPPED when it is removed. Every
 * peer a tracker returns goes to the torrent's candidate list. Runs on the torrent's event loop.
 */
final class TrackerAnnouncer {
    private static final System.Logger LOG = System.getLogger(TrackerAnnouncer.class.getName());

    private final TorrentSession torrent;
    /** The engine's tracker client, opened only when a torrent with trackers announces. */
    private final java.util.function.Supplier<Announcer> client;
    private final TrackerTiers tiers;
    private final AnnounceSchedule schedule = new AnnounceSchedule();
    private final int key = new Random().nextInt();
    private Event pending = Event.STARTED;
    private boolean inFlight;
    private boolean stopped;
    private ScheduledFuture<?> timer;

    TrackerAnnouncer(final TorrentSession torrent, final java.util.function.Supplier<Announcer> client) {
        this.torrent = torrent;
        this.client = client;
        this.tiers = TrackerTiers.of(torrent.meta.announceTiers(), Optional.empty(), new Random());
        for (final String rejected : tiers.rejected()) {
            LOG.log(System.Logger.Level.WARNING, torrent.meta.name() + ": ignoring tracker " + rejected);
        }
    }

    boolean hasTrackers() {
        return !tiers.isEmpty();
    }

    void start() {
        if (hasTrackers()) {
            announceNow();
        }
    }

    /** The download finished: tell the trackers at once. */
    void completed() {
        if (hasTrackers() && !stopped) {
            pending = Event.COMPLETED;
            announceNow();
        }
    }

    /** The torrent is being removed: a last STOPPED announce, waited for at most a short while. */
    CompletableFuture<Void> stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel(false);
        }
        if (!hasTrackers() || pending == Event.STARTED) {
            return CompletableFuture.completedFuture(null);
        }
        return tiers.announce(client.get(), request(Event.STOPPED)).handle((r, e) -> (Void) null)
            .completeOnTimeout(null, 2, TimeUnit.SECONDS);
    }

    private void announceNow() {
        if (inFlight || stopped) {
            return;
        }
        inFlight = true;
        final Event event = pending;
        tiers.announce(client.get(), request(event)).whenComplete((result, failure) -> torrent.loop.execute(() -> {
            inFlight = false;
            if (stopped) {
                return;
            }
            final Instant next;
            if (failure == null) {
                result.response().warning().ifPresent(w ->
                    LOG.log(System.Logger.Level.WARNING, result.tracker() + " warns: " + w));
                if (pending == event) {
                    pending = Event.NONE;
                }
                next = schedule.succeeded(Instant.now(), result.response());
                torrent.addPeers(result.response().peers());
            } else {
                LOG.log(System.Logger.Level.WARNING, torrent.meta.name() + ": announce failed: " + failure.getMessage());
                next = schedule.failed(Instant.now());
            }
            final long delay = Math.max(1, Duration.between(Instant.now(), next).toMillis());
            timer = torrent.loop.schedule(this::announceNow, delay, TimeUnit.MILLISECONDS);
        }));
    }

    private AnnounceRequest request(final Event event) {
        final TorrentStats s = torrent.stats();
        final int port = Math.max(1, torrent.engine.listenPort());
        return new AnnounceRequest(torrent.meta.infoHashV1(), torrent.engine.peerId(), port, s.uploadedPayload(),
            s.downloadedPayload(), Math.max(0, s.totalBytes() - s.verifiedBytes()), event, 200, true,
            Optional.empty(), java.util.OptionalInt.of(key), Optional.empty());
    }
}
