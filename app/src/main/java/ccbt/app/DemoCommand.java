package ccbt.app;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.pipeline.session.Engine;
import ccbt.pipeline.session.EngineConfig;
import ccbt.pipeline.session.TorrentSession;
import ccbt.telemetry.Metrics;
import ccbt.telemetry.TextReport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ccbt demo}: makes a dataset, seeds it and downloads it over loopback through the whole pipeline,
 * then prints the throughput and the stage latencies. Touches nothing but 127.0.0.1 and a temp directory.
 */
final class DemoCommand implements Callable<Integer> {
    private static final String DEFAULT_SIZE = "256MiB";
    private static final int DEFAULT_FILES = 4;
    private static final String DEFAULT_PIECE_SIZE = "256KiB";
    static final CommandSpec<DemoCommand> SPEC = CommandSpec.command("demo",
            "Seed and download a generated dataset over loopback; print throughput and stage latencies.",
            DemoCommand::new)
        .option("--size", "SIZE", "Dataset size. Default: " + DEFAULT_SIZE, (c, v) -> c.size = v)
        .option("--files", "N", "Large files in the dataset. Default: " + DEFAULT_FILES,
            (c, v) -> c.files = Integer.parseInt(v))
        .option("--piece-size", "SIZE", "Piece size. Default: " + DEFAULT_PIECE_SIZE, (c, v) -> c.pieceSize = v)
        .option("--dir", "DIR", "Work directory (default: a new temp directory, removed afterwards)",
            (c, v) -> c.dir = Path.of(v))
        .option("--metrics", "HOST:PORT", "Serve the leecher's metrics here", (c, v) -> c.metricsAddress = v);

    String size = DEFAULT_SIZE;
    int files = DEFAULT_FILES;
    String pieceSize = DEFAULT_PIECE_SIZE;
    Path dir;
    String metricsAddress;

    @Override
    public Integer call() throws Exception {
        final boolean temporary = dir == null;
        final Path work = temporary ? Files.createTempDirectory("ccbt-demo") : dir;
        try {
            return run(work);
        } finally {
            if (temporary) {
                deleteTree(work);
            }
        }
    }

    private int run(final Path work) throws Exception {
        final long bytes = Units.parseSize(size);
        final Path seedDir = work.resolve("seed");
        final Map<String, Long> layout = SampleDataset.standardLayout("ccbt-demo", bytes, files);
        System.err.printf("writing a %s dataset of %d files to %s%n", Units.bytes(bytes), layout.size(), seedDir);
        SampleDataset.write(seedDir, layout, 2026);
        final Metainfo meta = CreateCommand.createQuietly(seedDir.resolve("ccbt-demo"),
            (int) Units.parseSize(pieceSize), List.of(), false);
        System.err.printf("torrent %s: %d pieces of %s%n", meta.infoHashV1().hex(), meta.pieceCount(),
            Units.bytes(meta.pieceLength()));

        final InetAddress loopback = InetAddress.getByName("127.0.0.1");
        final Metrics seedMetrics = new Metrics();
        final Metrics leechMetrics = new Metrics();
        try (Engine seeder = new Engine(EngineConfig.builder(work.resolve("state-seed")).bind(loopback, 0).build(),
                 seedMetrics);
             Engine leecher = new Engine(EngineConfig.builder(work.resolve("state-leech")).bind(loopback, 0).build(),
                 leechMetrics);
             MetricsServer server = MetricsServer.maybe(leechMetrics, metricsAddress)) {
            final int seedPort = seeder.listen();
            seeder.add(meta, seedDir, null);
            leecher.listen();
            final Path out = work.resolve("download");
            final long start = System.nanoTime();
            final TorrentSession session = leecher.add(meta, out, null);
            session.addPeers(List.of(new InetSocketAddress(loopback, seedPort)));
            final int code = DownloadCommand.await(session, 600);
            final double seconds = (System.nanoTime() - start) / 1e9;
            if (code != 0) {
                return code;
            }
            final boolean same = SampleDataset.sha256Tree(out).equals(SampleDataset.sha256Tree(seedDir));
            System.out.printf("downloaded %s in %.2f s: %s (transport %s), SHA-256 of every file %s%n",
                Units.bytes(meta.totalLength()), seconds, Units.rate(meta.totalLength() / seconds),
                leecher.transport(), same ? "matches" : "DIFFERS");
            System.out.println();
            System.out.println("leecher stage latencies:");
            System.out.print(TextReport.stageTable(leechMetrics));
            return same ? 0 : 1;
        }
    }

    static void deleteTree(final Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path d, final IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
