package ccbt.bench.swarm;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrometheusTest {
    @Test
    void parsesLabelsQuantilesAndSpecialValues() {
        final List<Prometheus.Sample> s = Prometheus.parse("""
            # HELP ccbt_stage_service_seconds Stage service time
            # TYPE ccbt_stage_service_seconds summary
            ccbt_stage_service_seconds{stage="hash-verify",quantile="0.99"} 1.5e-4
            ccbt_stage_service_seconds_count{stage="hash-verify"} 4096
            ccbt_downloaded_bytes_total{torrent="a\\"b"} 100 1700000000000
            ccbt_downloaded_bytes_total{torrent="c"} 23
            ccbt_ring_fill NaN
            """);
        assertThat(s).hasSize(5);
        assertThat(s.getFirst().label("stage")).isEqualTo("hash-verify");
        assertThat(s.getFirst().label("quantile")).isEqualTo("0.99");
        assertThat(s.getFirst().value()).isEqualTo(1.5e-4);
        assertThat(s.get(2).label("torrent")).isEqualTo("a\"b");
        assertThat(Prometheus.sum(s, "ccbt_downloaded_bytes_total")).isEqualTo(123);
        assertThat(Prometheus.sum(s, "absent")).isEqualTo(-1);
        assertThat(s.get(4).value()).isNaN();
    }

    @Test
    @Timeout(30)
    void scrapesALoopbackEndpointWithFixedLengthOrStreamedBodies() throws Exception {
        final String text = "ccbt_downloaded_bytes_total 42\n";
        for (final boolean streamed : new boolean[] {false, true}) {
            final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/metrics", ex -> {
                final byte[] body = text.getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, streamed ? 0 : body.length); // 0: length unknown, chunked or until close
                ex.getResponseBody().write(body);
                ex.close();
            });
            server.start();
            try {
                assertThat(Prometheus.scrape("127.0.0.1:" + server.getAddress().getPort())).as("streamed=%s", streamed)
                    .hasValue(text);
            } finally {
                server.stop(0);
            }
        }
        assertThat(Prometheus.scrape("127.0.0.1:1")).isEmpty(); // nothing listens: empty, not an exception
    }

    @Test
    void rejectsMalformedLinesNamingThem() {
        assertThatThrownBy(() -> Prometheus.parse("ccbt_x{stage=\"a\" 1"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ccbt_x{stage=\"a\" 1");
        assertThatThrownBy(() -> Prometheus.parse("ccbt_x twelve"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twelve");
    }
}
