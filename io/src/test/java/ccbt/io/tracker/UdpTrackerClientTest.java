package ccbt.io.tracker;

import static ccbt.io.tracker.FakeUdpTracker.announceReply;
import static ccbt.io.tracker.FakeUdpTracker.concat;
import static ccbt.io.tracker.FakeUdpTracker.connectReply;
import static ccbt.io.tracker.FakeUdpTracker.errorReply;
import static ccbt.io.tracker.FakeUdpTracker.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ccbt.core.InfoHash;
import ccbt.core.PeerId;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class UdpTrackerClientTest {
    private static final InfoHash HASH = InfoHash.fromHex("0123456789abcdef0123456789abcdef01234567");
    private static final PeerId PEER = PeerId.of("-CB0001-abcdefghijkl".getBytes());
    private static final long CONN = 0x1122334455667788L;

    private static final UdpTrackerClient.Config FAST =
            new UdpTrackerClient.Config(Duration.ofMillis(200), 3, Duration.ofMinutes(1));

    private UdpTrackerClient client;
    private FakeUdpTracker tracker;

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close();
        }
        if (tracker != null) {
            tracker.close();
        }
    }

    private UdpTrackerClient client(UdpTrackerClient.Config config) throws Exception {
        client = UdpTrackerClient.open(config, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return client;
    }

    /** Answers connects and announces correctly with the given peers. */
    private static FakeUdpTracker.Script wellBehaved(byte[] peers) {
        return r -> switch (r.action()) {
            case 0 -> List.of(connectReply(r.transactionId(), CONN));
            case 1 -> List.of(announceReply(r.transactionId(), 1800, 3, 7, peers));
            default -> List.of();
        };
    }

    private static AnnounceRequest request() {
        return AnnounceRequest.started(HASH, PEER, 51413, 1000).withNumWant(50).withKey(0xCAFE)
                .withCounters(11, 22, 1000);
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a failure, got " + f.join());
    }

    @Test
    void connectsThenAnnouncesWithEveryFieldInPlace() throws Exception {
        tracker = FakeUdpTracker.onLoopback(wellBehaved(concat(peer("10.0.0.1", 6881), peer("10.0.0.2", 0),
                peer("192.168.1.9", 65535))));
        AnnounceResponse r = client(FAST).announce(tracker.uri(), request()).get(5, TimeUnit.SECONDS);

        assertThat(r.interval()).isEqualTo(Duration.ofSeconds(1800));
        assertThat(r.incomplete()).hasValue(3);
        assertThat(r.complete()).hasValue(7);
        // The port-0 entry cannot be dialled and is dropped.
        assertThat(r.peers()).containsExactly(new InetSocketAddress("10.0.0.1", 6881),
                new InetSocketAddress("192.168.1.9", 65535));

        FakeUdpTracker.Request connect = tracker.requests.get(0);
        assertThat(connect.bytes()).hasSize(16);
        assertThat(connect.connectionId()).isEqualTo(0x41727101980L);
        FakeUdpTracker.Request announce = tracker.requests.get(1);
        ByteBuffer b = announce.buf();
        // 98 bytes of BEP 15 announce, then BEP 41 URL data "/announce" and the end-of-options byte.
        assertThat(announce.bytes()).hasSize(98 + 2 + 9 + 1);
        assertThat(java.util.Arrays.copyOfRange(announce.bytes(), 98, 110))
                .isEqualTo(concat(new byte[] {2, 9}, "/announce".getBytes(), new byte[] {0}));
        assertThat(b.getLong(0)).isEqualTo(CONN);
        assertThat(b.getInt(8)).isEqualTo(1);
        assertThat(HASH.matches(announce.bytes(), 16)).isTrue();
        assertThat(PeerId.of(java.util.Arrays.copyOfRange(announce.bytes(), 36, 56))).isEqualTo(PEER);
        assertThat(b.getLong(56)).as("downloaded").isEqualTo(22);
        assertThat(b.getLong(64)).as("left").isEqualTo(1000);
        assertThat(b.getLong(72)).as("uploaded").isEqualTo(11);
        assertThat(b.getInt(80)).as("event started").isEqualTo(2);
        assertThat(b.getInt(84)).as("ip").isZero();
        assertThat(b.getInt(88)).as("key").isEqualTo(0xCAFE);
        assertThat(b.getInt(92)).as("num_want").isEqualTo(50);
        assertThat(b.getShort(96) & 0xffff).as("port").isEqualTo(51413);
    }

    @Test
    void sendsALongPathAndQueryAsSeveralUrlDataOptions() throws Exception {
        tracker = FakeUdpTracker.onLoopback(wellBehaved(new byte[0]));
        String query = "?passkey=" + "k".repeat(291); // path + query = 9 + 300 = 309 bytes
        client(FAST).announce(java.net.URI.create(tracker.uri() + query), request()).get(5, TimeUnit.SECONDS);

        byte[] sent = tracker.requests.get(1).bytes();
        byte[] expected = ("/announce" + query).getBytes();
        assertThat(sent).hasSize(98 + 2 + 255 + 2 + 54 + 1);
        assertThat(sent[98]).isEqualTo((byte) 2);
        assertThat(sent[99] & 0xff).isEqualTo(255);
        assertThat(java.util.Arrays.copyOfRange(sent, 100, 355)).isEqualTo(java.util.Arrays.copyOf(expected, 255));
        assertThat(sent[355]).isEqualTo((byte) 2);
        assertThat(sent[356]).isEqualTo((byte) 54);
        assertThat(java.util.Arrays.copyOfRange(sent, 357, 411))
                .isEqualTo(java.util.Arrays.copyOfRange(expected, 255, 309));
        assertThat(sent[411]).isZero();
    }

    @Test
    void refusesAPathTooLongForUrlData() throws Exception {
        client(FAST);
        java.net.URI tracker = java.net.URI.create("udp://127.0.0.1:9/" + "p".repeat(1100));
        assertThat(failure(client.announce(tracker, request())))
                .hasMessageEndingWith("failed: path and query are 1101 bytes, more than the 1020 sent as BEP 41 URL data");
    }

    @Test
    void retransmitsWhenTheTrackerDropsPackets() throws Exception {
        AtomicInteger connects = new AtomicInteger();
        AtomicInteger announces = new AtomicInteger();
        FakeUdpTracker.Script good = wellBehaved(peer("10.0.0.1", 6881));
        // Drops the first connect and the first announce.
        tracker = FakeUdpTracker.onLoopback(r -> {
            if (r.action() == 0 && connects.getAndIncrement() == 0) {
                return List.of();
            }
            if (r.action() == 1 && announces.getAndIncrement() == 0) {
                return List.of();
            }
            return good.answer(r);
        });
        AnnounceResponse r = client(FAST).announce(tracker.uri(), request()).get(10, TimeUnit.SECONDS);

        assertThat(r.peers()).containsExactly(new InetSocketAddress("10.0.0.1", 6881));
        assertThat(tracker.countAction(0)).isEqualTo(2);
        assertThat(tracker.countAction(1)).isEqualTo(2);
        // A retransmission repeats the same transaction.
        assertThat(tracker.requests.get(0).transactionId()).isEqualTo(tracker.requests.get(1).transactionId());
    }

    @Test
    void givesUpAfterTheConfiguredRetransmissions() throws Exception {
        tracker = FakeUdpTracker.onLoopback(r -> List.of());
        UdpTrackerClient.Config config = new UdpTrackerClient.Config(Duration.ofMillis(50), 2, Duration.ofMinutes(1));
        long start = System.nanoTime();
        Throwable t = failure(client(config).announce(tracker.uri(), request()));

        assertThat(t).isInstanceOf(TrackerException.class)
                .hasMessage("tracker " + tracker.uri() + " failed: no reply to connect after 3 attempts");
        assertThat(tracker.requests).hasSize(3);
        // Waits 50 + 100 + 200 ms: the timeout doubles.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(350));
    }

    @Test
    void errorActionFailsWithTheTrackersMessage() throws Exception {
        tracker = FakeUdpTracker.onLoopback(r -> r.action() == 0
                ? List.of(connectReply(r.transactionId(), CONN))
                : List.of(errorReply(r.transactionId(), "torrent not registered")));
        Throwable t = failure(client(FAST).announce(tracker.uri(), request()));

        assertThat(t).isInstanceOf(TrackerException.class)
                .hasMessage("tracker " + tracker.uri() + " failed: torrent not registered");
        assertThat(((TrackerException) t).refused()).isTrue();
    }

    @Test
    void ignoresGarbageWrongTransactionsAndTruncatedPackets() throws Exception {
        FakeUdpTracker.Script good = wellBehaved(peer("10.0.0.3", 1234));
        tracker = FakeUdpTracker.onLoopback(r -> {
            List<byte[]> bad = List.of(
                    new byte[] {1, 2, 3},
                    new byte[0],
                    connectReply(r.transactionId() + 1, 99),
                    announceReply(r.transactionId() ^ 0x5555, 1, 1, 1, new byte[0]));
            return java.util.stream.Stream.concat(bad.stream(), good.answer(r).stream()).toList();
        });
        AnnounceResponse r = client(FAST).announce(tracker.uri(), request()).get(5, TimeUnit.SECONDS);

        assertThat(r.peers()).containsExactly(new InetSocketAddress("10.0.0.3", 1234));
        // 4 bad datagrams before each of the 2 good replies; all arrive before the good one on loopback.
        assertThat(client.ignoredReplies()).isEqualTo(8);
        // The connection id used is the real one, not the one in the wrong-transaction reply.
        assertThat(tracker.requests.get(1).connectionId()).isEqualTo(CONN);
    }

    @Test
    void ignoresAReplyFromAnotherAddressEvenWithTheRightTransaction() throws Exception {
        FakeUdpTracker.Script good = wellBehaved(new byte[0]);
        try (java.net.DatagramSocket spoofer = new java.net.DatagramSocket(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            tracker = FakeUdpTracker.onLoopback(r -> {
                if (r.action() == 0) {
                    byte[] forged = connectReply(r.transactionId(), 0xbadL);
                    try {
                        spoofer.send(new java.net.DatagramPacket(forged, forged.length, r.from()));
                        Thread.sleep(100); // the forged reply arrives well before the genuine one
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
                return good.answer(r);
            });
            client(FAST).announce(tracker.uri(), request()).get(5, TimeUnit.SECONDS);
        }
        assertThat(client.ignoredReplies()).isEqualTo(1);
        assertThat(tracker.requests.get(1).connectionId()).isEqualTo(CONN);
    }

    @Test
    void acceptsAReplyAsLargeAsADatagramCarries() throws Exception {
        byte[] peers = new byte[6 * 10_000];
        for (int i = 0; i < 10_000; i++) {
            ByteBuffer.wrap(peers, i * 6, 6).put((byte) 10).put((byte) (i >> 8)).put((byte) i).put((byte) 1)
                    .putShort((short) 6881);
        }
        tracker = FakeUdpTracker.onLoopback(wellBehaved(peers));
        AnnounceResponse r = client(FAST).announce(tracker.uri(), request()).get(5, TimeUnit.SECONDS);
        assertThat(r.peers()).hasSize(10_000).contains(new InetSocketAddress("10.39.15.1", 6881));
    }

    @Test
    void wrongActionForTheTransactionFails() throws Exception {
        tracker = FakeUdpTracker.onLoopback(r -> List.of(announceReply(r.transactionId(), 1, 1, 1, new byte[0])));
        Throwable t = failure(client(FAST).announce(tracker.uri(), request()));

        assertThat(t).hasMessageEndingWith("failed: reply action 1 to connect, expected 0");
    }

    @Test
    void rejectsTruncatedRepliesWithTheirLength() throws Exception {
        tracker = FakeUdpTracker.onLoopback(r -> r.action() == 0
                ? List.of(connectReply(r.transactionId(), CONN))
                : List.of(ByteBuffer.allocate(14).putInt(1).putInt(r.transactionId()).putInt(60).array()));
        assertThat(failure(client(FAST).announce(tracker.uri(), request())))
                .hasMessageEndingWith("failed: announce reply is 14 bytes, shorter than 20");
    }

    @Test
    void rejectsPeerBytesThatAreNotWholeEntries() throws Exception {
        tracker = FakeUdpTracker.onLoopback(wellBehaved(new byte[] {10, 0, 0, 1, 0x1a, (byte) 0xe1, 10, 0, 0}));
        assertThat(failure(client(FAST).announce(tracker.uri(), request())))
                .hasMessageEndingWith("failed: announce reply carries 9 peer bytes, not a multiple of 6");
    }

    @Test
    void rejectsOutOfRangeInterval() throws Exception {
        tracker = FakeUdpTracker.onLoopback(r -> r.action() == 0
                ? List.of(connectReply(r.transactionId(), CONN))
                : List.of(announceReply(r.transactionId(), -1, 0, 0, new byte[0])));
        assertThat(failure(client(FAST).announce(tracker.uri(), request())))
                .hasMessageContaining("interval=4294967295");
    }

    @Test
    void reusesTheConnectionIdWithinItsLifetime() throws Exception {
        tracker = FakeUdpTracker.onLoopback(wellBehaved(new byte[0]));
        client(FAST);
        client.announce(tracker.uri(), request()).get(5, TimeUnit.SECONDS);
        client.announce(tracker.uri(), request().withEvent(AnnounceRequest.Event.NONE)).get(5, TimeUnit.SECONDS);

        assertThat(tracker.countAction(0)).isEqualTo(1);
        assertThat(tracker.countAction(1)).isEqualTo(2);
        assertThat(tracker.requests.get(2).buf().getInt(80)).as("event none").isZero();
    }

    @Test
    void connectsAgainOnceTheConnectionIdExpired() throws Exception {
        tracker = FakeUdpTracker.onLoopback(wellBehaved(new byte[0]));
        client(new UdpTrackerClient.Config(Duration.ofMillis(200), 3, Duration.ZERO));
        client.announce(tracker.uri(), request()).get(5, TimeUnit.SECONDS);
        client.announce(tracker.uri(), request()).get(5, TimeUnit.SECONDS);

        assertThat(tracker.requests).extracting(FakeUdpTracker.Request::action).containsExactly(0, 1, 0, 1);
    }

    @Test
    void reconnectsWhenTheConnectionIdExpiresDuringRetransmission() throws Exception {
        AtomicInteger announces = new AtomicInteger();
        FakeUdpTracker.Script good = wellBehaved(new byte[0]);
        tracker = FakeUdpTracker.onLoopback(r ->
                r.action() == 1 && announces.getAndIncrement() == 0 ? List.of() : good.answer(r));
        // The id lives 100 ms, the first announce times out after 200 ms: the retry must connect first.
        client(new UdpTrackerClient.Config(Duration.ofMillis(200), 3, Duration.ofMillis(100)));
        client.announce(tracker.uri(), request()).get(5, TimeUnit.SECONDS);

        assertThat(tracker.requests).extracting(FakeUdpTracker.Request::action).containsExactly(0, 1, 0, 1);
    }

    @Test
    void errorReplyForgetsTheConnectionId() throws Exception {
        AtomicInteger announces = new AtomicInteger();
        FakeUdpTracker.Script good = wellBehaved(new byte[0]);
        tracker = FakeUdpTracker.onLoopback(r -> r.action() == 1 && announces.getAndIncrement() == 0
                ? List.of(errorReply(r.transactionId(), "Connection ID missmatch."))
                : good.answer(r));
        client(FAST);
        assertThat(failure(client.announce(tracker.uri(), request()))).hasMessageEndingWith("Connection ID missmatch.");
        client.announce(tracker.uri(), request()).get(5, TimeUnit.SECONDS);

        assertThat(tracker.requests).extracting(FakeUdpTracker.Request::action).containsExactly(0, 1, 0, 1);
    }

    @Test
    void scrapesSeveralTorrents() throws Exception {
        InfoHash other = InfoHash.fromHex("fedcba9876543210fedcba9876543210fedcba98");
        tracker = FakeUdpTracker.onLoopback(r -> r.action() == 0
                ? List.of(connectReply(r.transactionId(), CONN))
                : List.of(ByteBuffer.allocate(32).putInt(2).putInt(r.transactionId())
                        .putInt(5).putInt(9).putInt(2)
                        .putInt(-1).putInt(0).putInt(1).array()));
        ScrapeResponse s = client(FAST).scrape(tracker.uri(), List.of(HASH, other)).get(5, TimeUnit.SECONDS);

        assertThat(s.get(HASH)).contains(new ScrapeResponse.Stats(5, 9, 2));
        assertThat(s.get(other)).contains(new ScrapeResponse.Stats(4294967295L, 0, 1));
        FakeUdpTracker.Request req = tracker.requests.get(1);
        assertThat(req.bytes()).hasSize(16 + 40);
        assertThat(other.matches(req.bytes(), 36)).isTrue();
    }

    @Test
    void scrapeReplyOfTheWrongSizeFails() throws Exception {
        tracker = FakeUdpTracker.onLoopback(r -> r.action() == 0
                ? List.of(connectReply(r.transactionId(), CONN))
                : List.of(ByteBuffer.allocate(16).putInt(2).putInt(r.transactionId()).array()));
        assertThat(failure(client(FAST).scrape(tracker.uri(), List.of(HASH))))
                .hasMessageEndingWith("failed: scrape reply is 16 bytes, expected 20 for 1 torrents");
    }

    @Test
    void rejectsScrapesBeyondOnePacket() throws Exception {
        client(FAST);
        List<InfoHash> many = java.util.Collections.nCopies(75, HASH);
        assertThat(failure(client.scrape(java.net.URI.create("udp://127.0.0.1:1/"), many)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 75");
    }

    @Test
    void rejectsUrlsThatAreNotUdpWithAPort() throws Exception {
        client(FAST);
        assertThat(failure(client.announce(java.net.URI.create("udp://127.0.0.1/announce"), request())))
                .hasMessage("tracker udp://127.0.0.1/announce failed: not a udp://host:port tracker URL");
        assertThat(failure(client.announce(java.net.URI.create("http://127.0.0.1:80/announce"), request())))
                .isInstanceOf(TrackerException.class);
        assertThat(failure(client.announce(java.net.URI.create("udp://127.0.0.1:70000/announce"), request())))
                .isInstanceOf(TrackerException.class).hasMessageContaining("cannot resolve 127.0.0.1:70000");
    }

    @Test
    void closeFailsRequestsInFlight() throws Exception {
        tracker = FakeUdpTracker.onLoopback(r -> List.of());
        client(FAST);
        CompletableFuture<AnnounceResponse> f = client.announce(tracker.uri(), request());
        while (tracker.requests.isEmpty()) {
            Thread.sleep(5);
        }
        client.close();
        assertThat(failure(f)).hasMessageEndingWith("failed: UDP tracker client closed");
    }

    @Test
    void readsEighteenBytePeersWhenTalkingOverIpv6() throws Exception {
        InetAddress v6Loopback = InetAddress.getByName("::1");
        assumeTrue(NetworkInterface.getByInetAddress(v6Loopback) != null, "no IPv6 loopback here");
        assumeTrue(v6Loopback instanceof Inet6Address);
        try {
            tracker = new FakeUdpTracker(v6Loopback, wellBehaved(concat(peer("2001:db8::1", 6881),
                    peer("::1", 51413))));
        } catch (java.net.SocketException e) {
            assumeTrue(false, "cannot bind ::1: " + e);
        }
        client = UdpTrackerClient.open(FAST, new InetSocketAddress(v6Loopback, 0));
        AnnounceResponse r = client.announce(tracker.uri(), request()).get(5, TimeUnit.SECONDS);

        assertThat(r.peers()).containsExactly(new InetSocketAddress("2001:db8::1", 6881),
                new InetSocketAddress("::1", 51413));
    }
}
