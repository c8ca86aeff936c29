package ccbt.app;

import ccbt.pipeline.session.Engine;
import ccbt.pipeline.session.EngineConfig;
import ccbt.telemetry.Metrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;


/**
 * An engine as a command runs it: metrics, optional Prometheus endpoint, orderly shutdown, and optionally the final
 * metrics in a file (a short run can end between two scrapes of the endpoint).
 */
final class EngineRun implements AutoCloseable {
    final Metrics metrics = new Metrics();
    final Engine engine;
    private final MetricsServer endpoint;
    private final Path metricsFile;
    private final Thread shutdownHook;
    private volatile boolean closed;

    EngineRun(final EngineConfig config, final String metricsAddress, final Path metricsFile) {
        this.metricsFile = metricsFile;
        this.engine = new Engine(config, metrics);
        this.endpoint = MetricsServer.maybe(metrics, metricsAddress);
        this.shutdownHook = new Thread(this::closeQuietly, "ccbt-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private void closeQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            engine.close();
        } finally {
            endpoint.close();
            writeMetricsFile();
        }
    }

    /** Replaces the file at once (written beside it, then moved), so a reader never sees half of it. */
    private void writeMetricsFile() {
        if (metricsFile == null) {
            return;
        }
        final Path target = metricsFile.toAbsolutePath();
        final Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, metrics.scrape(), StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (final IOException | RuntimeException e) {
            System.err.println("ccbt: could not write the metrics to " + metricsFile + ": " + e);
        }
    }

    @Override
    public void close() {
        closeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (final IllegalStateException e) {
            // already shutting down: the hook is running or has run
        }
    }
}
