package ccbt.io.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.InfoHash;
import ccbt.core.PeerId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Our tracker clients against the real opentracker on loopback: two peers announce and each sees the other. */
@Tag("interop")
@Timeout(60)
class OpenTrackerInteropTest {
    private static final InfoHash UDP_TORRENT = InfoHash.fromHex("c0ffee0000000000000000000000000000000001");
    private static final InfoHash HTTP_TORRENT = InfoHash.fromHex("c0ffee0000000000000000000000000000000002");
    private static final InfoHash TIERS_TORRENT = InfoHash.fromHex("c0ffee0000000000000000000000000000000003");
    private static final InfoHash UNLISTED = InfoHash.fromHex("c0ffee00000000000000000000000000000000ff");

    @TempDir
    static Path dir;
    private static OpenTrackerProcess tracker;
    private static UdpTrackerClient udp;
    private static TrackerClient client;

    @BeforeAll
    static void startTracker() throws Exception {
        tracker = OpenTrackerProcess.start(dir, List.of(UDP_TORRENT, HTTP_TORRENT, TIERS_TORRENT));
        udp = UdpTrackerClient.open(new UdpTrackerClient.Config(Duration.ofSeconds(1), 3, Duration.ofMinutes(1)),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = new TrackerClient(new HttpTrackerClient(), udp);
    }

    @AfterAll
    static void stopTracker() throws Exception {
        if (client != null) {
            client.close(); // closes udp too
        } else if (udp != null) {
            udp.close();
        }
        if (tracker != null) {
            tracker.close();
        }
    }

    @Test
    void twoPeersFindEachOtherOverUdp() throws Exception {
        AnnounceRequest a = AnnounceRequest.started(UDP_TORRENT, PeerId.generate(), 40001, 1000);
        AnnounceRequest b = AnnounceRequest.started(UDP_TORRENT, PeerId.generate(), 40002, 0);

        AnnounceResponse first = udp.announce(tracker.udpAnnounce(), a).get(10, TimeUnit.SECONDS);
        AnnounceResponse second = udp.announce(tracker.udpAnnounce(), b).get(10, TimeUnit.SECONDS);
        AnnounceResponse again = udp.announce(tracker.udpAnnounce(), a.withEvent(AnnounceRequest.Event.NONE))
                .get(10, TimeUnit.SECONDS);

        assertThat(first.interval()).isPositive();
        assertThat(second.peers()).contains(new InetSocketAddress("127.0.0.1", 40001));
        assertThat(again.peers()).contains(new InetSocketAddress("127.0.0.1", 40002));
        assertThat(again.complete()).hasValue(1);
        assertThat(again.incomplete()).hasValue(1);

        ScrapeResponse s = udp.scrape(tracker.udpAnnounce(), List.of(UDP_TORRENT)).get(10, TimeUnit.SECONDS);
        assertThat(s.get(UDP_TORRENT)).contains(new ScrapeResponse.Stats(1, 0, 1));
    }

    @Test
    void twoPeersFindEachOtherOverHttp() throws Exception {
        AnnounceRequest a = AnnounceRequest.started(HTTP_TORRENT, PeerId.generate(), 41001, 1000);
        AnnounceRequest b = AnnounceRequest.started(HTTP_TORRENT, PeerId.generate(), 41002, 0);

        AnnounceResponse first = client.announce(tracker.httpAnnounce(), a).get(10, TimeUnit.SECONDS);
        AnnounceResponse second = client.announce(tracker.httpAnnounce(), b).get(10, TimeUnit.SECONDS);
        AnnounceResponse again = client.announce(tracker.httpAnnounce(), a.withEvent(AnnounceRequest.Event.NONE))
                .get(10, TimeUnit.SECONDS);

        assertThat(first.interval()).isPositive();
        assertThat(first.minInterval()).isPresent();
        assertThat(second.peers()).contains(new InetSocketAddress("127.0.0.1", 41001));
        assertThat(again.peers()).contains(new InetSocketAddress("127.0.0.1", 41002));
        assertThat(again.complete()).hasValue(1);
        assertThat(again.incomplete()).hasValue(1);

        ScrapeResponse s = client.scrape(tracker.httpAnnounce(), List.of(HTTP_TORRENT)).get(10, TimeUnit.SECONDS);
        assertThat(s.get(HTTP_TORRENT)).contains(new ScrapeResponse.Stats(1, 0, 1));

        // A stopped peer leaves the swarm.
        client.announce(tracker.httpAnnounce(), b.withEvent(AnnounceRequest.Event.STOPPED)).get(10, TimeUnit.SECONDS);
        AnnounceResponse afterStop = client.announce(tracker.httpAnnounce(), a.withEvent(AnnounceRequest.Event.NONE))
                .get(10, TimeUnit.SECONDS);
        assertThat(afterStop.peers()).doesNotContain(new InetSocketAddress("127.0.0.1", 41002));
    }

    @Test
    void httpAnnounceOfAnUnlistedTorrentIsRefusedWithTheTrackersReason() throws Exception {
        AnnounceRequest r = AnnounceRequest.started(UNLISTED, PeerId.generate(), 41003, 1000);
        Throwable t = client.announce(tracker.httpAnnounce(), r).handle((ok, err) -> err).get(10, TimeUnit.SECONDS);

        assertThat(t).isInstanceOf(TrackerException.class)
                .hasMessage("tracker " + tracker.httpAnnounce()
                        + " failed: Requested download is not authorized for use with this tracker.");
        assertThat(((TrackerException) t).refused()).isTrue();
    }

    @Test
    void tiersFallBackPastADeadTrackerToOpentrackerOverEitherProtocol() throws Exception {
        // Port 1 on loopback: nothing listens, the HTTP connect is refused at once.
        TrackerTiers tiers = TrackerTiers.of(List.of(
                        List.of("http://127.0.0.1:1/announce"),
                        List.of(tracker.udpAnnounce().toString(), tracker.httpAnnounce().toString())),
                java.util.Optional.empty(), new java.util.Random(7));
        AnnounceRequest a = AnnounceRequest.started(TIERS_TORRENT, PeerId.generate(), 42001, 1000);
        AnnounceRequest b = AnnounceRequest.started(TIERS_TORRENT, PeerId.generate(), 42002, 1000);

        TrackerTiers.Result first = tiers.announce(client, a).get(20, TimeUnit.SECONDS);
        TrackerTiers.Result second = tiers.announce(client, b).get(20, TimeUnit.SECONDS);

        assertThat(first.tracker()).isIn(tracker.udpAnnounce(), tracker.httpAnnounce());
        assertThat(second.tracker()).isEqualTo(first.tracker());
        assertThat(tiers.tiers().get(1).getFirst()).isEqualTo(first.tracker());
        assertThat(second.response().peers()).contains(new InetSocketAddress("127.0.0.1", 42001));
    }

    @Test
    void udpAnnounceOfAnUnlistedTorrentFailsWithoutCrashing() throws Exception {
        AnnounceRequest r = AnnounceRequest.started(UNLISTED, PeerId.generate(), 40003, 1000);
        Throwable t = udp.announce(tracker.udpAnnounce(), r).handle((ok, err) -> err).get(10, TimeUnit.SECONDS);

        // opentracker (Debian, whitelist mode) answers an unlisted torrent with a bare 8-byte announce header
        // rather than an error action: a malformed reply, reported as such.
        assertThat(t).isInstanceOf(TrackerException.class).hasMessage("tracker " + tracker.udpAnnounce()
                + " failed: announce reply is 8 bytes, shorter than 20");
    }
}
