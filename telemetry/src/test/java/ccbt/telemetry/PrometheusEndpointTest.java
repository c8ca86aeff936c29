package ccbt.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PrometheusEndpointTest {
    private static final InetSocketAddress LOOPBACK_ANY_PORT =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    @Timeout(30)
    void servesMetricsOnLoopback() throws Exception {
        Metrics m = MetricsTest.sampleMetrics();
        Counter c = m.counter("ccbt_scrapes_seen_total", "x");
        try (PrometheusEndpoint ep = new PrometheusEndpoint(m, LOOPBACK_ANY_PORT);
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            ep.start();
            assertThat(ep.port()).isPositive();
            c.add(41);
            HttpResponse<String> r = http.send(get(ep, "/metrics"), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain; version=0.0.4");
            assertThat(r.body()).contains("ccbt_scrapes_seen_total 41\n");
            MetricsTest.assertWellFormed(r.body());
            c.inc();
            assertThat(http.send(get(ep, "/metrics"), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("ccbt_scrapes_seen_total 42\n");

            assertThat(http.send(get(ep, "/other"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
            HttpRequest post = HttpRequest.newBuilder(uri(ep, "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).timeout(Duration.ofSeconds(5)).build();
            assertThat(http.send(post, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
        }
    }

    @Test
    @Timeout(30)
    void serverThreadsAreDaemonsAndCloseReleasesPort() throws Exception {
        PrometheusEndpoint ep = new PrometheusEndpoint(new Metrics(), LOOPBACK_ANY_PORT);
        ep.start();
        int port = ep.port();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("HTTP-Dispatcher") || t.getName().startsWith("ccbt-metrics")) {
                assertThat(t.isDaemon()).as("daemon: %s", t.getName()).isTrue();
            }
        }
        assertThatThrownBy(ep::start).isInstanceOf(IllegalStateException.class);
        ep.close();
        ep.close();
        // The port is free again: a new endpoint can bind it.
        try (PrometheusEndpoint again = new PrometheusEndpoint(new Metrics(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            again.start();
            assertThat(again.port()).isEqualTo(port);
        }
    }

    private static HttpRequest get(PrometheusEndpoint ep, String path) {
        return HttpRequest.newBuilder(uri(ep, path)).timeout(Duration.ofSeconds(5)).GET().build();
    }

    private static URI uri(PrometheusEndpoint ep, String path) {
        return URI.create("http://127.0.0.1:" + ep.port() + path);
    }
}
