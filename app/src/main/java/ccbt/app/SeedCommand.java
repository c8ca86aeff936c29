package ccbt.app;

import ccbt.core.metainfo.Metainfo;
import ccbt.pipeline.session.TorrentSession;
import ccbt.pipeline.session.TorrentStats;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ccbt seed TORRENT DIR}: serves the content in DIR until stopped (SIGTERM shuts down cleanly). */
final class SeedCommand implements Callable<Integer> {
    static final CommandSpec<SeedCommand> SPEC = NetworkOptions.addTo(CommandSpec.command("seed",
            "Seed a torrent whose content is in DIR, until stopped.", SeedCommand::new)
        .positional("TORRENT", "", (c, v) -> c.torrent = Path.of(v))
        .positional("DIR", "Directory that holds the torrent's content", (c, v) -> c.dir = Path.of(v))
        .repeatableOption("--peer", "HOST:PORT", "Also connect to this peer", (c, v) -> c.peers.add(v)),
        c -> c.network);

    Path torrent;
    Path dir;
    final List<String> peers = new ArrayList<>();
    final NetworkOptions network = new NetworkOptions();

    @Override
    public Integer call() throws Exception {
        final Metainfo meta = Metainfo.parse(Files.readAllBytes(torrent));
        try (EngineRun run = new EngineRun(network.config(), network.metrics, network.metricsFile)) {
            final int port = run.engine.listen();
            System.err.println("checking " + meta.name() + " ...");
            final TorrentSession session = run.engine.add(meta, dir, null);
            final TorrentStats first = session.stats();
            System.err.printf("seeding %s: %d of %d bytes verified, listening on port %d%n", meta.name(),
                first.verifiedBytes(), first.totalBytes(), port);
            System.out.println("listening " + port);
            System.out.flush();
            session.addPeers(DownloadCommand.parsePeers(peers));
            final Progress progress = new Progress(System.err);
            while (true) {
                Thread.sleep(1000);
                progress.show(session.stats(), false);
            }
        }
    }
}
