package ccbt.io.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.InfoHash;
import ccbt.core.PeerId;
import ccbt.core.bencode.BDict;
import ccbt.core.bencode.Bencode;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class TrackerClientTest {
    private static final AnnounceRequest REQUEST = AnnounceRequest.started(
            InfoHash.fromHex("0123456789abcdef0123456789abcdef01234567"), PeerId.generate(), 6881, 10);

    @Test
    void routesBySchemeAndFailsWithTheBareTrackerExceptionWhicheverProtocolRan() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", ex -> {
            byte[] body = ex.getRequestURI().getPath().equals("/bad")
                    ? Bencode.encode(BDict.builder().put("failure reason", "http says no").build())
                    : Bencode.encode(BDict.builder().put("interval", 111).build());
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        FakeUdpTracker udpTracker = FakeUdpTracker.onLoopback(r -> r.action() == 0
                ? List.of(FakeUdpTracker.connectReply(r.transactionId(), 5))
                : List.of(FakeUdpTracker.errorReply(r.transactionId(), "udp says no")));
        UdpTrackerClient udp = UdpTrackerClient.open(
                new UdpTrackerClient.Config(Duration.ofMillis(200), 2, Duration.ofMinutes(1)),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        try (TrackerClient client = new TrackerClient(new HttpTrackerClient(), udp)) {
            String base = "http://127.0.0.1:" + http.getAddress().getPort();

            assertThat(client.announce(URI.create(base + "/announce"), REQUEST).get(10, TimeUnit.SECONDS)
                    .interval()).isEqualTo(Duration.ofSeconds(111));
            Throwable httpError = client.announce(URI.create(base + "/bad"), REQUEST)
                    .handle((ok, e) -> e).get(10, TimeUnit.SECONDS);
            Throwable udpError = client.announce(udpTracker.uri(), REQUEST)
                    .handle((ok, e) -> e).get(10, TimeUnit.SECONDS);
            Throwable wsError = client.announce(URI.create("wss://tracker.example/announce"), REQUEST)
                    .handle((ok, e) -> e).get(10, TimeUnit.SECONDS);

            assertThat(httpError).isInstanceOf(TrackerException.class).hasMessageEndingWith("failed: http says no");
            assertThat(udpError).isInstanceOf(TrackerException.class).hasMessageEndingWith("failed: udp says no");
            assertThat(wsError).isInstanceOf(TrackerException.class).hasMessage(
                    "tracker wss://tracker.example/announce failed: unsupported tracker scheme (http, https and udp are)");
            assertThat(udpTracker.countAction(1)).isEqualTo(1);
        } finally {
            udpTracker.close();
            http.stop(0);
        }
    }
}
