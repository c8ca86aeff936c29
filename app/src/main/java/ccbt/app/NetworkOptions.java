package ccbt.app;

import ccbt.pipeline.session.EngineConfig;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/** Options shared by the commands that run an engine. */
final class NetworkOptions {
    @Option(names = "--port", description = "Listening port (0 = any free port). Default: ${DEFAULT-VALUE}")
    int port = 6881;

    @Option(names = "--bind", description = "Listening and outgoing address (default: all interfaces)")
    String bind;

    @Option(names = "--transport", description = "auto, io_uring, epoll or nio. Default: ${DEFAULT-VALUE}")
    String transport = "auto";

    @Option(names = "--state-dir", description = "Where resume data is kept (default: ~/.local/state/ccbt)")
    Path stateDir;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", description = "Serve Prometheus metrics at http://HOST:PORT/metrics")
    String metrics;

    @Option(names = "--metrics-file", paramLabel = "FILE",
        description = "Write the final Prometheus metrics to FILE when the command ends")
    Path metricsFile;

    @Option(names = "--upload-slots", description = "Unchoked peers per torrent. Default: ${DEFAULT-VALUE}")
    int uploadSlots = 8;

    @Option(names = "--max-download-rate", paramLabel = "SIZE",
        description = "Engine-wide download limit per second, e.g. 4MiB (default: unlimited)")
    String maxDownloadRate;

    @Option(names = "--max-upload-rate", paramLabel = "SIZE",
        description = "Engine-wide upload limit per second, e.g. 10MiB (default: unlimited)")
    String maxUploadRate;

    @Option(names = "--xet-chunking", description = "Cut downloaded files into Xet content-defined chunks as they arrive")
    boolean xetChunking;

    @Option(names = "--sequential", description = "Download pieces in order (for streaming) instead of rarest first")
    boolean sequential;

    @Option(names = "--preallocate", description = "sparse or full. Default: ${DEFAULT-VALUE}")
    String preallocate = "sparse";

    @Option(names = "--buffered-writes", description = "Write downloaded pieces through the page cache instead of "
        + "straight to the device (O_DIRECT): the transfer may run ahead of a slow disk, at more CPU per GiB")
    boolean bufferedWrites;

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
            .directWrites(!bufferedWrites)
            .build();
    }
}
