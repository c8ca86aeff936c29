package ccbt.io.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The tracker's HTTP/1.1 client against a loopback server that answers with exactly the bytes each test gives. */
@Timeout(30)
class HttpGetTest {
    private final HttpGet http = new HttpGet(Duration.ofSeconds(2), Duration.ofSeconds(5), 64 * 1024, "ccbt-test");
    /** The request heads the server read, in order. */
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private ServerSocket server;
    private Thread serving;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (serving != null) {
            serving.join(5_000);
        }
    }

    /** Serves one connection per reply, in order: reads the request head, writes the reply, closes. */
    private URI serve(final String... replies) throws IOException {
        return serve(new ServerSocket(0, 8, InetAddress.getLoopbackAddress()), "http", replies);
    }

    private URI serve(final ServerSocket socket, final String scheme, final String... replies) {
        server = socket;
        serving = Thread.ofPlatform().daemon().start(() -> {
            for (final String reply : replies) {
                try (Socket c = server.accept()) {
                    c.setSoTimeout(5_000);
                    requests.add(head(c.getInputStream()));
                    final OutputStream out = c.getOutputStream();
                    out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (final IOException e) {
                    return;
                }
            }
        });
        return URI.create(scheme + "://127.0.0.1:" + server.getLocalPort() + "/announce?a=1");
    }

    private static String head(final InputStream in) throws IOException {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            final int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String text(final HttpGet.Response r) {
        return new String(r.body(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void sendsOneWellFormedGetAndReadsADeclaredLength() throws Exception {
        final URI url = serve("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        final HttpGet.Response r = http.get(url);
        assertThat(r.status()).isEqualTo(200);
        assertThat(text(r)).isEqualTo("hello");
        assertThat(requests).singleElement().satisfies(h -> assertThat(h)
            .startsWith("GET /announce?a=1 HTTP/1.1\r\n")
            .contains("\r\nHost: 127.0.0.1:" + url.getPort() + "\r\n")
            .contains("\r\nUser-Agent: ccbt-test\r\n")
            .contains("\r\nConnection: close\r\n"));
    }

    @Test
    void joinsChunksSkippingExtensionsAndTrailers() throws Exception {
        final URI url = serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "4;ext=1\r\nd8:i\r\n0a\r\nntervali1e\r\n1\r\ne\r\n0\r\nX-Trailer: 1\r\n\r\n");
        assertThat(text(http.get(url))).isEqualTo("d8:intervali1ee");
    }

    @Test
    void skipsInformationalRepliesAndReadsToTheEndWithoutALength() throws Exception {
        final URI url = serve("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nServer: x\r\n\r\nto the end");
        assertThat(text(http.get(url))).isEqualTo("to the end");
    }

    @Test
    void followsARelativeRedirect() throws Exception {
        final URI url = serve("HTTP/1.1 301 Moved\r\nLocation: /moved?b=2\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(text(http.get(url))).isEqualTo("ok");
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1)).startsWith("GET /moved?b=2 HTTP/1.1\r\n");
    }

    @Test
    void refusesMalformedReplies() throws Exception {
        assertThatThrownBy(() -> http.get(serve("SSH-2.0-OpenSSH\r\n\r\n")))
            .isInstanceOf(IOException.class).hasMessageContaining("not an HTTP/1.x status line");
        stop();
        assertThatThrownBy(() -> http.get(serve("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab")))
            .isInstanceOf(EOFException.class).hasMessage("reply ended after 2 of 10 bytes");
        stop();
        assertThatThrownBy(() -> http.get(serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")))
            .isInstanceOf(IOException.class).hasMessageContaining("malformed chunk size");
        stop();
        assertThatThrownBy(() -> http.get(serve("HTTP/1.1 200 OK\r\nX: " + "y".repeat(70_000) + "\r\n\r\n")))
            .isInstanceOf(IOException.class).hasMessageContaining("reply head longer than");
        stop();
        assertThatThrownBy(() -> http.get(serve("HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n")))
            .isInstanceOf(IOException.class).hasMessageContaining("malformed Content-Length");
        stop();
        assertThatThrownBy(() -> http.get(serve("HTTP/1.1 302 Found\r\nLocation: ftp://x/\r\n\r\n")))
            .isInstanceOf(IOException.class).hasMessageContaining("not http(s)");
    }

    @Test
    void aChunkedBodyPastTheLimitIsRefused() throws Exception {
        final String chunk = Integer.toHexString(40_000) + "\r\n" + "x".repeat(40_000) + "\r\n";
        final URI url = serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + "0\r\n\r\n");
        assertThatThrownBy(() -> http.get(url)).isInstanceOf(HttpGet.BodyTooLarge.class)
            .hasMessage("reply exceeds the limit of 65536 bytes");
    }

    /**
     * An https tracker goes through TLS with the JDK's default trust: a self-signed certificate (made with keytool)
     * is refused in the handshake, before any request is sent.
     */
    @Test
    void anHttpsTrackerWithAnUntrustedCertificateIsRefused(@TempDir final Path dir) throws Exception {
        final SSLContext tls = serverTls(selfSigned(dir, "IP:127.0.0.1"));
        final SSLServerSocket socket = (SSLServerSocket) tls.getServerSocketFactory()
            .createServerSocket(0, 8, InetAddress.getLoopbackAddress());
        final URI url = serve(socket, "https", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThatThrownBy(() -> http.get(url)).isInstanceOf(SSLException.class);
        assertThat(requests).isEmpty();
    }

    /**
     * A trusted certificate is accepted only for the host it names: with the certificate in the client's trust
     * store, a tracker whose certificate is for 127.0.0.1 answers, one whose certificate names another host is
     * refused in the handshake.
     */
    @Test
    void aTrustedCertificateMustNameTheTrackersHost(@TempDir final Path dir) throws Exception {
        for (final String names : new String[] {"IP:127.0.0.1", "DNS:tracker.example"}) {
            final KeyStore keys = selfSigned(dir.resolve(names.substring(0, 2)), names);
            final KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("tracker", keys.getCertificate("tracker"));
            final javax.net.ssl.TrustManagerFactory tmf =
                javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            final SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, tmf.getTrustManagers(), null);
            final HttpGet trusting = new HttpGet(Duration.ofSeconds(2), Duration.ofSeconds(5), 64 * 1024, "ccbt-test",
                client.getSocketFactory());
            requests.clear();
            final SSLServerSocket socket = (SSLServerSocket) serverTls(keys).getServerSocketFactory()
                .createServerSocket(0, 8, InetAddress.getLoopbackAddress());
            final URI url = serve(socket, "https", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            if (names.startsWith("IP:")) {
                assertThat(new String(trusting.get(url).body(), StandardCharsets.US_ASCII)).isEqualTo("ok");
                assertThat(requests).hasSize(1);
            } else {
                assertThatThrownBy(() -> trusting.get(url)).isInstanceOf(SSLException.class)
                    .hasMessageContaining("127.0.0.1");
                assertThat(requests).isEmpty();
            }
            server.close();
        }
    }

    /** A key pair and a self-signed certificate for the subject alternative {@code names}, made with keytool. */
    private static KeyStore selfSigned(final Path dir, final String names) throws Exception {
        Files.createDirectories(dir);
        final Path store = dir.resolve("tracker.p12");
        final Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "secret",
            "-alias", "tracker", "-keyalg", "EC", "-dname", "CN=ccbt test tracker", "-ext", "SAN=" + names,
            "-validity", "2").redirectErrorStream(true).start();
        keytool.getInputStream().transferTo(OutputStream.nullOutputStream());
        assertThat(keytool.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).isZero();
        final KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "secret".toCharArray());
        }
        return keys;
    }

    private static SSLContext serverTls(final KeyStore keys) throws Exception {
        final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "secret".toCharArray());
        final SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        return tls;
    }
}
