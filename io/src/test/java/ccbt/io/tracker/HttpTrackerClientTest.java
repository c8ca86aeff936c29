package ccbt.io.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.InfoHash;
import ccbt.core.PeerId;
import ccbt.core.bencode.BDict;
import ccbt.core.bencode.BList;
import ccbt.core.bencode.BString;
import ccbt.core.bencode.Bencode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class HttpTrackerClientTest {
    // Bytes that must be escaped (0x00, 0xff, '%', ' ', '&', '+', '/') next to unreserved ones.
    private static final InfoHash HASH = InfoHash.of(HexFormat.of().parseHex(
            "00ff2520262b2f41617a7e2d2e5f0102030405fe"));
    private static final PeerId PEER = PeerId.of("-CB0001-ab&d=f%h ?kl".getBytes(StandardCharsets.US_ASCII));

    interface Responder {
        void respond(HttpExchange ex) throws IOException;
    }

    private HttpServer server;
    private volatile Responder responder;
    private final List<URI> requested = new CopyOnWriteArrayList<>();
    private HttpTrackerClient client;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            requested.add(ex.getRequestURI());
            try {
                responder.respond(ex);
            } finally {
                ex.close();
            }
        });
        server.start();
        client = new HttpTrackerClient(new HttpTrackerClient.Config(Duration.ofSeconds(2), Duration.ofSeconds(2),
                64 * 1024, "ccbt-test"));
    }

    @AfterEach
    void stopServer() {
        client.close();
        server.stop(0);
    }

    private URI url(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery);
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private void reply(byte[] body) {
        responder = ex -> send(ex, 200, body);
    }

    private static BDict.Builder ok() {
        return BDict.builder().put("interval", 1800);
    }

    private static AnnounceRequest request() {
        return AnnounceRequest.started(HASH, PEER, 6881, 5000).withCounters(100, 200, 5000).withNumWant(30)
                .withKey(0x0badf00d);
    }

    private AnnounceResponse announce() throws Exception {
        return client.announce(url("/announce"), request()).get(10, TimeUnit.SECONDS);
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

    private Throwable announceFailure() {
        return failure(client.announce(url("/announce"), request()));
    }

    /** Decodes percent-encoding to raw bytes, the way a tracker reads info_hash. */
    private static byte[] percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    private static Map<String, String> rawQuery(URI u) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : u.getRawQuery().split("&")) {
            int eq = kv.indexOf('=');
            m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return m;
    }

    @Test
    void sendsEveryParameterWithRawBytesPercentEncoded() throws Exception {
        reply(Bencode.encode(ok().build()));
        client.announce(url("/announce?passkey=s3cr3t"), request().withTrackerId(Optional.of("id\u00ff 1")))
                .get(10, TimeUnit.SECONDS);

        Map<String, String> q = rawQuery(requested.getFirst());
        assertThat(q.get("passkey")).isEqualTo("s3cr3t");
        assertThat(percentDecode(q.get("info_hash"))).isEqualTo(HASH.bytes());
        assertThat(percentDecode(q.get("peer_id"))).isEqualTo(PEER.bytes());
        assertThat(q.get("info_hash")).doesNotContain("&", " ", "+", "/");
        assertThat(q).containsEntry("port", "6881").containsEntry("uploaded", "100")
                .containsEntry("downloaded", "200").containsEntry("left", "5000").containsEntry("compact", "1")
                .containsEntry("event", "started").containsEntry("numwant", "30").containsEntry("key", "0badf00d");
        assertThat(percentDecode(q.get("trackerid"))).isEqualTo(new byte[] {'i', 'd', (byte) 0xff, ' ', '1'});
        assertThat(q.keySet()).first().isEqualTo("passkey");
    }

    @Test
    void regularAnnounceSendsNoEventAndDefaultPeerCountSendsNoNumwant() throws Exception {
        reply(Bencode.encode(ok().build()));
        client.announce(url("/announce"), request().withEvent(AnnounceRequest.Event.NONE).withNumWant(-1))
                .get(10, TimeUnit.SECONDS);
        assertThat(rawQuery(requested.getFirst())).doesNotContainKeys("event", "numwant", "trackerid", "ip");
    }

    @Test
    void readsEveryFieldOfAFullReply() throws Exception {
        byte[] v4 = FakeUdpTracker.concat(FakeUdpTracker.peer("10.1.2.3", 6881), FakeUdpTracker.peer("10.1.2.4", 0),
                FakeUdpTracker.peer("10.1.2.5", 51413));
        byte[] v6 = FakeUdpTracker.peer("2001:db8::7", 6882);
        reply(Bencode.encode(ok().put("min interval", 900).put("tracker id", "tid-1").put("complete", 4)
                .put("incomplete", 9).put("warning message", "slow down").put("peers", v4).put("peers6", v6)
                .build()));
        AnnounceResponse r = announce();

        assertThat(r.interval()).isEqualTo(Duration.ofSeconds(1800));
        assertThat(r.minInterval()).contains(Duration.ofSeconds(900));
        assertThat(r.trackerId()).contains("tid-1");
        assertThat(r.complete()).hasValue(4);
        assertThat(r.incomplete()).hasValue(9);
        assertThat(r.warning()).contains("slow down");
        assertThat(r.peers()).containsExactly(new InetSocketAddress("10.1.2.3", 6881),
                new InetSocketAddress("10.1.2.5", 51413), new InetSocketAddress("2001:db8::7", 6882));
    }

    @Test
    void readsDictionaryModelPeers() throws Exception {
        BList peers = BList.of(
                BDict.builder().put("ip", "10.0.0.1").put("port", 6881).put("peer id", "x".repeat(20)).build(),
                BDict.builder().put("ip", "::1").put("port", 7000).build(),
                BDict.builder().put("ip", "peer.example").put("port", 7001).build(),
                BDict.builder().put("ip", "10.0.0.2").put("port", 0).build());
        reply(Bencode.encode(ok().put("peers", peers).build()));
        AnnounceResponse r = announce();

        assertThat(r.peers()).containsExactly(new InetSocketAddress("10.0.0.1", 6881),
                new InetSocketAddress("::1", 7000), InetSocketAddress.createUnresolved("peer.example", 7001));
    }

    @Test
    void failureReasonFailsWithTheTrackersWords() {
        reply(Bencode.encode(BDict.builder().put("failure reason", "unregistered torrent").build()));
        Throwable t = announceFailure();

        assertThat(t).isInstanceOf(TrackerException.class)
                .hasMessage("tracker " + url("/announce") + " failed: unregistered torrent");
        assertThat(((TrackerException) t).refused()).isTrue();
    }

    @Test
    void failureReasonWithAnErrorStatusIsStillTheTrackersWords() {
        responder = ex -> send(ex, 403,
                Bencode.encode(BDict.builder().put("failure reason", "passkey invalid").build()));
        assertThat(announceFailure()).hasMessageEndingWith("failed: passkey invalid");
    }

    @Test
    void errorStatusWithAnHtmlPageNamesTheStatus() {
        responder = ex -> send(ex, 502, "<html>bad gateway</html>".getBytes(StandardCharsets.US_ASCII));
        Throwable t = announceFailure();
        assertThat(t).hasMessageEndingWith("failed: HTTP status 502");
        assertThat(((TrackerException) t).refused()).isFalse();
    }

    @Test
    void bencodeGarbageIsAMalformedReply() {
        reply("<html>not a tracker</html>".getBytes(StandardCharsets.US_ASCII));
        assertThat(announceFailure()).isInstanceOf(TrackerException.class)
                .hasMessageContaining("failed: reply is not valid bencode (26 bytes): bencode: ");
    }

    @Test
    void aListInsteadOfADictionaryIsRefused() {
        reply("li1ee".getBytes(StandardCharsets.US_ASCII));
        assertThat(announceFailure()).hasMessageEndingWith("failed: reply is not a bencoded dictionary");
    }

    @Test
    void compactPeersMustBeWholeEntries() {
        reply(Bencode.encode(ok().put("peers", new byte[7]).build()));
        assertThat(announceFailure()).hasMessageEndingWith("failed: peers is 7 bytes, not a multiple of 6");
        reply(Bencode.encode(ok().put("peers6", new byte[17]).build()));
        assertThat(announceFailure()).hasMessageEndingWith("failed: peers6 is 17 bytes, not a multiple of 18");
    }

    @Test
    void compactPeersWithPortZeroAreDropped() throws Exception {
        reply(Bencode.encode(ok().put("peers", new byte[12]).build()));
        assertThat(announce().peers()).isEmpty();
    }

    @Test
    void missingOrOutOfRangeIntervalIsRefused() {
        reply(Bencode.encode(BDict.builder().put("peers", new byte[0]).build()));
        assertThat(announceFailure()).hasMessageEndingWith("failed: reply has no interval");
        reply(Bencode.encode(BDict.builder().put("interval", -5).build()));
        assertThat(announceFailure()).hasMessageEndingWith("failed: interval -5 out of range");
        reply(Bencode.encode(ok().put("complete", 1L << 40).build()));
        assertThat(announceFailure()).hasMessageEndingWith("failed: complete 1099511627776 out of range");
    }

    @Test
    void wrongTypesAreNamed() {
        reply(Bencode.encode(BDict.builder().put("interval", "soon").build()));
        assertThat(announceFailure()).hasMessageContaining("malformed reply").hasMessageContaining("interval");
        reply(Bencode.encode(ok().put("peers", 5).build()));
        assertThat(announceFailure()).hasMessageEndingWith("failed: peers is neither a string nor a list");
        reply(Bencode.encode(ok().put("peers", BList.of(BDict.builder().put("ip", "1.2.3.4").build())).build()));
        assertThat(announceFailure()).hasMessageContaining("port");
    }

    @Test
    void dictionaryPeerWithAHostileAddressOrPortIsNamed() {
        reply(Bencode.encode(ok().put("peers", BList.of(BDict.builder().put("ip", "1.2.3.4/../x").put("port", 1)
                .build())).build()));
        assertThat(announceFailure())
                .hasMessageEndingWith("failed: peer ip '1.2.3.4/../x' is neither an IP address nor a host name");
        reply(Bencode.encode(ok().put("peers", BList.of(BDict.builder().put("ip", "1.2.3.4").put("port", 70000)
                .build())).build()));
        assertThat(announceFailure()).hasMessageEndingWith("failed: peer 1.2.3.4 has port 70000 outside 0..65535");
    }

    @Test
    void aDeclaredHugeBodyIsRefusedBeforeReading() {
        responder = ex -> {
            ex.sendResponseHeaders(200, 10 * 1024 * 1024);
            // Send only a little: the client must refuse on the declared length alone.
            OutputStream out = ex.getResponseBody();
            out.write(new byte[1024]);
            out.flush();
        };
        assertThat(announceFailure()).hasMessageEndingWith(
                "failed: reply of 10485760 bytes exceeds the limit of 65536");
    }

    @Test
    void aStreamedHugeBodyIsCutOffAtTheLimit() {
        responder = ex -> {
            ex.sendResponseHeaders(200, 0); // chunked, no declared length
            try (OutputStream out = ex.getResponseBody()) {
                out.write("d8:intervali60e5:peers".getBytes(StandardCharsets.US_ASCII));
                byte[] junk = new byte[8192];
                for (int i = 0; i < 200; i++) { // 1.6 MiB at most, far past the 64 KiB limit
                    out.write(junk);
                }
            } catch (IOException clientHungUp) {
                // expected once the client gives up
            }
        };
        assertThat(announceFailure()).hasMessageEndingWith("failed: reply exceeds the limit of 65536 bytes");
    }

    @Test
    void aTrackerThatNeverAnswersTimesOut() {
        responder = ex -> {
            try {
                Thread.sleep(1_500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        client.close();
        client = new HttpTrackerClient(new HttpTrackerClient.Config(Duration.ofSeconds(1), Duration.ofMillis(300),
                64 * 1024, "ccbt-test"));
        assertThat(announceFailure()).isInstanceOf(TrackerException.class).hasMessageContaining("timed out");
    }

    @Test
    void followsARedirect() throws Exception {
        responder = ex -> {
            if (ex.getRequestURI().getPath().equals("/old/announce")) {
                ex.getResponseHeaders().add("Location", url("/announce?" + ex.getRequestURI().getRawQuery())
                        .toString());
                send(ex, 302, new byte[0]);
            } else {
                send(ex, 200, Bencode.encode(ok().build()));
            }
        };
        AnnounceResponse r = client.announce(url("/old/announce"), request()).get(10, TimeUnit.SECONDS);
        assertThat(r.interval()).isEqualTo(Duration.ofSeconds(1800));
        assertThat(requested).extracting(URI::getPath).containsExactly("/old/announce", "/announce");
    }

    @Test
    void aRedirectLoopEndsInAnError() {
        responder = ex -> {
            ex.getResponseHeaders().add("Location", url("/announce").toString());
            send(ex, 302, new byte[0]);
        };
        assertThat(announceFailure()).isInstanceOf(TrackerException.class);
        assertThat(requested.size()).isBetween(2, 10);
    }

    @Test
    void scrapeUrlFollowsTheAnnounceConvention() {
        assertThat(HttpTrackerClient.scrapeUrl(URI.create("http://t.example/announce")))
                .contains(URI.create("http://t.example/scrape"));
        assertThat(HttpTrackerClient.scrapeUrl(URI.create("http://t.example:81/x/announce.php?pk=1")))
                .contains(URI.create("http://t.example:81/x/scrape.php?pk=1"));
        assertThat(HttpTrackerClient.scrapeUrl(URI.create("https://t.example/announce?a=/announce")))
                .contains(URI.create("https://t.example/scrape?a=/announce"));
        assertThat(HttpTrackerClient.scrapeUrl(URI.create("http://t.example/a"))).isEmpty();
        assertThat(HttpTrackerClient.scrapeUrl(URI.create("http://t.example/announce/x"))).isEmpty();
        assertThat(HttpTrackerClient.scrapeUrl(URI.create("http://t.example/xannounce"))).isEmpty();
        assertThat(HttpTrackerClient.scrapeUrl(URI.create("http://announce"))).isEmpty();
    }

    @Test
    void scrapesSeveralTorrents() throws Exception {
        InfoHash other = InfoHash.fromHex("fedcba9876543210fedcba9876543210fedcba98");
        BDict files = BDict.builder()
                .put(BString.of(HASH.bytes()), BDict.builder().put("complete", 3).put("downloaded", 10)
                        .put("incomplete", 2).build())
                .put(BString.of(other.bytes()), BDict.builder().put("complete", 1).build())
                .build();
        reply(Bencode.encode(BDict.builder().put("files", files).build()));
        ScrapeResponse s = client.scrape(url("/announce?pk=1"), List.of(HASH, other)).get(10, TimeUnit.SECONDS);

        assertThat(s.get(HASH)).contains(new ScrapeResponse.Stats(3, 10, 2));
        assertThat(s.get(other)).contains(new ScrapeResponse.Stats(1, 0, 0));
        URI asked = requested.getFirst();
        assertThat(asked.getPath()).isEqualTo("/scrape");
        assertThat(asked.getRawQuery()).startsWith("pk=1&info_hash=").contains("&info_hash=");
    }

    @Test
    void scrapeWithoutAScrapeUrlOrWithBadKeysFails() {
        assertThat(failure(client.scrape(url("/tracker"), List.of(HASH))))
                .hasMessageContaining("no scrape URL");
        assertThat(failure(client.scrape(url("/announce"), List.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("scrape needs at least one info-hash");
        reply(Bencode.encode(BDict.builder().put("files", BDict.builder().put("short", BDict.builder().build())
                .build()).build()));
        assertThat(failure(client.scrape(url("/announce"), List.of(HASH))))
                .hasMessageEndingWith("failed: scrape entry key is 5 bytes, not an info-hash");
    }

    @Test
    void otherSchemesAreNotHttp() {
        assertThat(failure(client.announce(URI.create("udp://127.0.0.1:1/announce"), request())))
                .hasMessageEndingWith("failed: not an http(s) tracker URL");
    }
}
