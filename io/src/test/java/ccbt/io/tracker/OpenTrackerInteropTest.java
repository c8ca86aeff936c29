package ccbt.io.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.InfoHash;
import ccbt.core.PeerId;
import ccbt.peers.OpenTracker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Our tracker clients against the real opentracker on loopback: two peers announce and each sees the other. */
@Tag("interop")
@Timeout(60)
class OpenTrackerInteropTest {
    private static final InfoHash UDP_TORRENT = InfoHash.fromHex("c0ffee0000000000000000000000000000000001");
    private static final InfoHash HTTP_TORRENT = InfoHash.fromHex("c0ffee0000000000000000000000000000000002");
    private static final InfoHash TIERS_TORRENT = InfoHash.fromHex("c0ffee0000000000000000000000000000000003");
    private static final InfoHash UNLISTED = InfoHash.fromHex("c0ffee00000000000000000000000000000000ff");

    private static OpenTracker tracker;
    private static URI udpAnnounce;
    private static URI httpAnnounce;
    private static UdpTrackerClient udp;
    private static TrackerClient client;

    @BeforeAll
    static void startTracker() throws Exception {
        tracker = OpenTracker.start(UDP_TORRENT.hex(), HTTP_TORRENT.hex(), TIERS_TORRENT.hex());
        udpAnnounce = URI.create(tracker.udpAnnounceUrl());
        httpAnnounce = URI.create(tracker.httpAnnounceUrl());
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

        AnnounceResponse first = udp.announce(udpAnnounce, a).get(10, TimeUnit.SECONDS);
        AnnounceResponse second = udp.announce(udpAnnounce, b).get(10, TimeUnit.SECONDS);
        AnnounceResponse again = udp.announce(udpAnnounce, a.withEvent(AnnounceRequest.Event.NONE))
                .get(10, TimeUnit.SECONDS);

        assertThat(first.interval()).isPositive();
        assertThat(second.peers()).contains(new InetSocketAddress("127.0.0.1", 40001));
        assertThat(again.peers()).contains(new InetSocketAddress("127.0.0.1", 40002));
        assertThat(again.complete()).hasValue(1);
        assertThat(again.incomplete()).hasValue(1);

        ScrapeResponse s = udp.scrape(udpAnnounce, List.of(UDP_TORRENT)).get(10, TimeUnit.SECONDS);
        assertThat(s.get(UDP_TORRENT)).contains(new ScrapeResponse.Stats(1, 0, 1));
    }

    @Test
    void twoPeersFindEachOtherOverHttp() throws Exception {
        AnnounceRequest a = AnnounceRequest.started(HTTP_TORRENT, PeerId.generate(), 41001, 1000);
        AnnounceRequest b = AnnounceRequest.started(HTTP_TORRENT, PeerId.generate(), 41002, 0);

        AnnounceResponse first = client.announce(httpAnnounce, a).get(10, TimeUnit.SECONDS);
        AnnounceResponse second = client.announce(httpAnnounce, b).get(10, TimeUnit.SECONDS);
        AnnounceResponse again = client.announce(httpAnnounce, a.withEvent(AnnounceRequest.Event.NONE))
                .get(10, TimeUnit.SECONDS);

        assertThat(first.interval()).isPositive();
        assertThat(first.minInterval()).isPresent();
        assertThat(second.peers()).contains(new InetSocketAddress("127.0.0.1", 41001));
        assertThat(again.peers()).contains(new InetSocketAddress("127.0.0.1", 41002));
        assertThat(again.complete()).hasValue(1);
        assertThat(again.incomplete()).hasValue(1);

        ScrapeResponse s = client.scrape(httpAnnounce, List.of(HTTP_TORRENT)).get(10, TimeUnit.SECONDS);
        assertThat(s.get(HTTP_TORRENT)).contains(new ScrapeResponse.Stats(1, 0, 1));

        // A stopped peer leaves the swarm.
        client.announce(httpAnnounce, b.withEvent(AnnounceRequest.Event.STOPPED)).get(10, TimeUnit.SECONDS);
        AnnounceResponse afterStop = client.announce(httpAnnounce, a.withEvent(AnnounceRequest.Event.NONE))
                .get(10, TimeUnit.SECONDS);
        assertThat(afterStop.peers()).doesNotContain(new InetSocketAddress("127.0.0.1", 41002));
    }

    @Test
    void httpAnnounceOfAnUnlistedTorrentIsRefusedWithTheTrackersReason() throws Exception {
        AnnounceRequest r = AnnounceRequest.started(UNLISTED, PeerId.generate(), 41003, 1000);
        Throwable t = client.announce(httpAnnounce, r).handle((ok, err) -> err).get(10, TimeUnit.SECONDS);

        assertThat(t).isInstanceOf(TrackerException.class)
                .hasMessage("tracker " + httpAnnounce
                        + " failed: Requested download is not authorized for use with this tracker.");
        assertThat(((TrackerException) t).refused()).isTrue();
    }

    @Test
    void tiersFallBackPastADeadTrackerToOpentrackerOverEitherProtocol() throws Exception {
        // Port 1 on loopback: nothing listens, the HTTP connect is refused at once.
        TrackerTiers tiers = TrackerTiers.of(List.of(
                        List.of("http://127.0.0.1:1/announce"),
                        List.of(udpAnnounce.toString(), httpAnnounce.toString())),
                java.util.Optional.empty(), new java.util.Random(7));
        AnnounceRequest a = AnnounceRequest.started(TIERS_TORRENT, PeerId.generate(), 42001, 1000);
        AnnounceRequest b = AnnounceRequest.started(TIERS_TORRENT, PeerId.generate(), 42002, 1000);

        TrackerTiers.Result first = tiers.announce(client, a).get(20, TimeUnit.SECONDS);
        TrackerTiers.Result second = tiers.announce(client, b).get(20, TimeUnit.SECONDS);

        assertThat(first.tracker()).isIn(udpAnnounce, httpAnnounce);
        assertThat(second.tracker()).isEqualTo(first.tracker());
        assertThat(tiers.tiers().get(1).getFirst()).isEqualTo(first.tracker());
        assertThat(second.response().peers()).contains(new InetSocketAddress("127.0.0.1", 42001));
    }

    @Test
    void udpAnnounceOfAnUnlistedTorrentFailsWithoutCrashing() throws Exception {
        AnnounceRequest r = AnnounceRequest.started(UNLISTED, PeerId.generate(), 40003, 1000);
        Throwable t = udp.announce(udpAnnounce, r).handle((ok, err) -> err).get(10, TimeUnit.SECONDS);

        // opentracker (Debian, whitelist mode) answers an unlisted torrent with a bare 8-byte announce header
        // rather than an error action: a malformed reply, reported as such.
        assertThat(t).isInstanceOf(TrackerException.class).hasMessage("tracker " + udpAnnounce
                + " failed: announce reply is 8 bytes, shorter than 20");
    }
}
