package ccbt.telemetry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves {@code GET /metrics} from a {@link Metrics} in the Prometheus text format 0.0.4, on the JDK's
 * HTTP server with one daemon thread. Anything else gets 404 (other paths) or 405 (other methods).
 */
public final class PrometheusEndpoint implements AutoCloseable {
    /** The content type of text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Metrics metrics;
    private final InetSocketAddress address;
    private HttpServer server;
    private ExecutorService executor;

    /** An endpoint for {@code metrics} on {@code address} (port 0 picks a free port); call {@link #start()}. */
    public PrometheusEndpoint(final Metrics metrics, final InetSocketAddress address) {
        this.metrics = metrics;
        this.address = address;
    }

    /** Binds and starts serving. Fails with the address in the message if it cannot bind. */
    public synchronized void start() {
        if (server != null) {
            throw new IllegalStateException("metrics endpoint already started on " + server.getAddress());
        }
        final HttpServer s;
        try {
            s = HttpServer.create(address, 16);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot bind metrics endpoint to " + address + ": " + e.getMessage(), e);
        }
        executor = Executors.newSingleThreadExecutor(r -> {
            final Thread t = new Thread(r, "ccbt-metrics-http");
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(executor);
        s.createContext("/", this::handle);
        // The server's dispatcher thread inherits daemon status from the thread that starts it; start it
        // from a daemon thread so that an open endpoint never keeps the JVM alive.
        final Thread starter = new Thread(s::start, "ccbt-metrics-start");
        starter.setDaemon(true);
        starter.start();
        try {
            starter.join();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server = s;
    }

    /** The bound port (useful after binding port 0). */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("metrics endpoint not started");
        }
        return server.getAddress().getPort();
    }

    /** Stops serving and releases the port. Idempotent. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    private void handle(final HttpExchange ex) throws IOException {
        try (ex) {
            final String method = ex.getRequestMethod();
            if (!ex.getRequestURI().getPath().equals("/metrics")) {
                reply(ex, 404, "text/plain; charset=utf-8", "not found; metrics are at /metrics\n", true);
            } else if (method.equals("GET") || method.equals("HEAD")) {
                reply(ex, 200, CONTENT_TYPE, metrics.scrape(), method.equals("GET"));
            } else {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(ex, 405, "text/plain; charset=utf-8", "method " + method + " not allowed\n", true);
            }
        }
    }

    private static void reply(
            final HttpExchange ex, final int status, final String type, final String body, final boolean withBody)
            throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        if (!withBody) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }
}
