package ccbt.app;

import ccbt.telemetry.Metrics;
import ccbt.telemetry.PrometheusEndpoint;

/** The optional {@code --metrics HOST:PORT} endpoint of a command; closing an absent one does nothing. */
final class MetricsServer implements AutoCloseable {
    private final PrometheusEndpoint endpoint;

    private MetricsServer(final PrometheusEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Starts serving {@code metrics} at {@code address} (HOST:PORT), or nothing when the address is null. */
    static MetricsServer maybe(final Metrics metrics, final String address) {
        if (address == null) {
            return new MetricsServer(null);
        }
        final PrometheusEndpoint endpoint = new PrometheusEndpoint(metrics, Addresses.parseHostPort(address));
        endpoint.start();
        System.err.println("metrics: http://" + address + "/metrics");
        return new MetricsServer(endpoint);
    }

    @Override
    public void close() {
        if (endpoint != null) {
            endpoint.close();
        }
    }
}
