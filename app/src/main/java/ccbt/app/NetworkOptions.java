package ccbt.app;

import ccbt.pipeline.session.EngineConfig;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Function;

/** Options shared by the commands that run an engine. */
final class NetworkOptions {
    private static final int DEFAULT_PORT = 6881;
    private static final String DEFAULT_TRANSPORT = "auto";
    private static final int DEFAULT_UPLOAD_SLOTS = 8;
    private static final String DEFAULT_PREALLOCATE = "sparse";

    int port = DEFAULT_PORT;
    String bind;
    String transport = DEFAULT_TRANSPORT;
    Path stateDir;
    String metrics;
    Path metricsFile;
    int uploadSlots = DEFAULT_UPLOAD_SLOTS;
    String maxDownloadRate;
    String maxUploadRate;
    boolean xetChunking;
    boolean sequential;
    String preallocate = DEFAULT_PREALLOCATE;
    boolean directWrites;
    int maxRequests = EngineConfig.DEFAULT_MAX_REQUESTS_PER_PEER;

    /** Adds these options to {@code spec}; {@code options} finds a command's instance of them. */
    static <C extends Callable<Integer>> CommandSpec<C> addTo(final CommandSpec<C> spec,
                                                              final Function<C, NetworkOptions> options) {
        return spec
            .option("--port", "PORT", "Listening port (0 = any free port). Default: " + DEFAULT_PORT,
                (c, v) -> options.apply(c).port = Integer.parseInt(v))
            .option("--bind", "ADDRESS", "Listening and outgoing address (default: all interfaces)",
                (c, v) -> options.apply(c).bind = v)
            .option("--transport", "NAME", "auto, io_uring, epoll or nio. Default: " + DEFAULT_TRANSPORT,
                (c, v) -> options.apply(c).transport = v)
            .option("--state-dir", "DIR", "Where resume data is kept (default: ~/.local/state/ccbt)",
                (c, v) -> options.apply(c).stateDir = Path.of(v))
            .option("--metrics", "HOST:PORT", "Serve Prometheus metrics at http://HOST:PORT/metrics",
                (c, v) -> options.apply(c).metrics = v)
            .option("--metrics-file", "FILE", "Write the final Prometheus metrics to FILE when the command ends",
                (c, v) -> options.apply(c).metricsFile = Path.of(v))
            .option("--upload-slots", "N", "Unchoked peers per torrent. Default: " + DEFAULT_UPLOAD_SLOTS,
                (c, v) -> options.apply(c).uploadSlots = Integer.parseInt(v))
            .option("--max-download-rate", "SIZE", "Engine-wide download limit per second, e.g. 4MiB (default: unlimited)",
                (c, v) -> options.apply(c).maxDownloadRate = v)
            .option("--max-upload-rate", "SIZE", "Engine-wide upload limit per second, e.g. 10MiB (default: unlimited)",
                (c, v) -> options.apply(c).maxUploadRate = v)
            .flag("--xet-chunking", "Cut downloaded files into Xet content-defined chunks as they arrive",
                c -> options.apply(c).xetChunking = true)
            .flag("--sequential", "Download pieces in order (for streaming) instead of rarest first",
                c -> options.apply(c).sequential = true)
            .option("--preallocate", "MODE", "sparse or full. Default: " + DEFAULT_PREALLOCATE,
                (c, v) -> options.apply(c).preallocate = v)
            .flag("--direct-writes", "Write downloaded pieces straight to the device (O_DIRECT) instead of through "
                + "the page cache: less CPU per GiB, but the transfer waits for a disk slower than the network",
                c -> options.apply(c).directWrites = true)
            .option("--max-requests", "N", "Block requests outstanding to one peer at most; the depth follows each "
                + "peer's rate and its own limit (reqq). Default: " + EngineConfig.DEFAULT_MAX_REQUESTS_PER_PEER,
                (c, v) -> options.apply(c).maxRequests = atLeastOne(Integer.parseInt(v)));
    }

    private static int atLeastOne(final int n) {
        if (n < 1) {
            throw new IllegalArgumentException("must be at least 1");
        }
        return n;
    }

    EngineConfig config() throws UnknownHostException {
        if (!preallocate.equals("sparse") && !preallocate.equals("full")) {
            throw new IllegalArgumentException("--preallocate takes sparse or full, not " + preallocate);
        }
        final Path state = stateDir != null ? stateDir
            : Path.of(System.getProperty("user.home"), ".local", "state", "ccbt");
        final InetAddress address = bind == null ? null : InetAddress.getByName(bind);
        return EngineConfig.builder(state).bind(address, port).transport(transport)
            .uploadSlots(uploadSlots)
            .downloadRateLimit(maxDownloadRate == null ? 0 : Units.parseSize(maxDownloadRate))
            .uploadRateLimit(maxUploadRate == null ? 0 : Units.parseSize(maxUploadRate))
            .xetChunking(xetChunking)
            .sequential(sequential)
            .fullPreallocation(preallocate.equals("full"))
            .directWrites(directWrites)
            .maxRequestsPerPeer(maxRequests)
            .build();
    }
}
