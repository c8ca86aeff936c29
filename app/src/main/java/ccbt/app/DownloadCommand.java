package ccbt.app;

import ccbt.core.metainfo.Metainfo;
import ccbt.pipeline.session.TorrentSession;
import ccbt.pipeline.session.TorrentStats;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code ccbt download TORRENT -o DIR}: downloads until every file is verified on disk. */
public final class DownloadCommand implements Callable<Integer> {
    /** Printed on stdout once every piece is verified and written, before the final flush (the bench times it). */
    public static final String DOWNLOADED_LINE = "downloaded";

    static final CommandSpec<DownloadCommand> SPEC = NetworkOptions.addTo(CommandSpec.command("download",
            "Download a torrent; exits 0 once every file is verified on disk.", DownloadCommand::new)
        .positional("TORRENT", "", (c, v) -> c.torrent = Path.of(v))
        .requiredOption("-o, --output", "DIR", "Directory that receives the content", (c, v) -> c.output = Path.of(v))
        .repeatableOption("--peer", "HOST:PORT", "Connect to this peer", (c, v) -> c.peers.add(v))
        .option("--timeout", "SECONDS", "Give up after this many seconds (0 = never). Default: 0",
            (c, v) -> c.timeoutSeconds = Long.parseLong(v))
        .flag("--seed", "Keep seeding after the download completes, until stopped", c -> c.seedAfter = true),
        c -> c.network);

    Path torrent;
    Path output;
    final List<String> peers = new ArrayList<>();
    long timeoutSeconds;
    boolean seedAfter;
    final NetworkOptions network = new NetworkOptions();

    @Override
    public Integer call() throws Exception {
        final Metainfo meta = Metainfo.parse(Files.readAllBytes(torrent));
        Files.createDirectories(output);
        try (EngineRun run = new EngineRun(network.config(), network.metrics, network.metricsFile)) {
            run.engine.listen();
            final TorrentSession session = run.engine.add(meta, output, null);
            // stdout's one line: every piece verified and written; the flush to the device and the exit follow
            session.downloaded().thenRun(() -> {
                System.out.println(DOWNLOADED_LINE);
                System.out.flush();
            });
            session.addPeers(parsePeers(peers));
            final int code = await(session, timeoutSeconds);
            if (code == 0 && seedAfter) {
                System.err.println("seeding; stop with Ctrl-C or SIGTERM");
                Thread.currentThread().join();
            }
            return code;
        }
    }

    static List<InetSocketAddress> parsePeers(final List<String> peers) {
        final List<InetSocketAddress> out = new ArrayList<>();
        for (final String p : peers) {
            out.add(Addresses.parseHostPort(p));
        }
        return out;
    }

    /** Shows progress until the torrent completes (0), fails (1) or times out (2). */
    static int await(final TorrentSession session, final long timeoutSeconds) throws InterruptedException {
        final Progress progress = new Progress(System.err);
        final long deadline = timeoutSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds) : 0;
        while (true) {
            try {
                session.completion().get(500, TimeUnit.MILLISECONDS);
                progress.show(session.stats(), true);
                progress.end();
                return 0;
            } catch (final TimeoutException e) {
                progress.show(session.stats(), false);
                if (deadline != 0 && System.nanoTime() - deadline > 0) {
                    progress.end();
                    final TorrentStats s = session.stats();
                    System.err.printf("ccbt: timed out after %d s with %d of %d bytes verified%n", timeoutSeconds,
                        s.verifiedBytes(), s.totalBytes());
                    return 2;
                }
            } catch (final ExecutionException e) {
                progress.end();
                System.err.println("ccbt: download failed: " + e.getCause().getMessage());
                return 1;
            }
        }
    }
}
