package ccbt.app;

import ccbt.pipeline.session.Engine;
import ccbt.pipeline.session.EngineConfig;
import ccbt.telemetry.Metrics;


/** An engine as a command runs it: metrics, optional Prometheus endpoint, orderly shutdown. */
final class EngineRun implements AutoCloseable {
    final Metrics metrics = new Metrics();
    final Engine engine;
    private final MetricsServer endpoint;
    private final Thread shutdownHook;
    private volatile boolean closed;

    EngineRun(final EngineConfig config, final String metricsAddress) {
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
