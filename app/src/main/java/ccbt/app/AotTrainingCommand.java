package ccbt.app;

import ccbt.core.bencode.BDict;
import ccbt.core.bencode.Bencode;
import ccbt.io.tracker.HttpGet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ccbt aot-training} (hidden): the training run {@code bin/ccbt} records a JDK AOT cache from (JEP 483 and
 * 515: classes loaded and linked, lambda forms resolved and method profiles, all from one run). It goes through
 * what a ccbt process does at start and under load, in one JVM: generate a dataset, create its torrent, seed it
 * and download it over loopback ({@code demo}); then {@code create} (with an announce URL) and {@code info}; then the
 * {@code seed} and {@code download} commands themselves, talking to each other, announcing to an HTTP tracker the
 * training serves, each with its metrics endpoint scraped as the bench and a Prometheus server scrape them; then
 * {@code recheck}. The commands matter, not only the engine: code the training never ran is loaded, linked and
 * profiled from scratch in every process (a 1 GiB download with its metrics scraped took about 0.1 CPU s more when
 * only {@code demo} trained the cache, docs/performance.md).
 * Everything stays in a temporary directory on 127.0.0.1 and is removed afterwards.
 */
final class AotTrainingCommand implements Callable<Integer> {
    private static final String DEFAULT_SIZE = "64MiB";
    /** How long the seed may take to listen, and the download to finish, before the training gives up. */
    private static final Duration STEP_LIMIT = Duration.ofSeconds(120);
    private static final long SCRAPE_EVERY_MILLIS = 100;
    private static final HttpGet SCRAPES = new HttpGet(Duration.ofSeconds(5), Duration.ofSeconds(5), 16 << 20,
        "ccbt-aot-training");
    static final CommandSpec<AotTrainingCommand> SPEC = CommandSpec.command("aot-training",
            "Run the workload bin/ccbt records its JVM AOT cache from (loopback, temp directory).",
            AotTrainingCommand::new)
        .option("--size", "SIZE", "Dataset size. Default: " + DEFAULT_SIZE, (c, v) -> c.size = v)
        .hidden();

    String size = DEFAULT_SIZE;
    /** Announces the training's tracker answered. */
    private final AtomicInteger announces = new AtomicInteger();

    @Override
    public Integer call() throws Exception {
        final Path work = Files.createTempDirectory("ccbt-aot-training");
        final int seedPort = freeLoopbackPort();
        final HttpServer tracker = tracker(seedPort);
        try {
            final Path demo = work.resolve("demo");
            final Path torrent = work.resolve("training.torrent");
            final String content = demo.resolve("seed").toString();
            final String announce = "http://127.0.0.1:" + tracker.getAddress().getPort() + "/announce";
            final String[][] steps = {
                {"demo", "--size", size, "--files", "2", "--piece-size", "256KiB", "--dir", demo.toString()},
                {"create", "--piece-size", "1MiB", "--tracker", announce, "-o", torrent.toString(), content + "/ccbt-demo"},
                {"info", torrent.toString()},
            };
            for (final String[] step : steps) {
                if (!ran(step)) {
                    return 1;
                }
            }
            final Path download = work.resolve("download");
            if (!seedAndDownload(work, torrent, content, seedPort, download)) {
                return 1;
            }
            System.err.println("ccbt aot-training: " + announces.get() + " tracker announces");
            return ran("recheck", torrent.toString(), download.toString()) ? 0 : 1;
        } finally {
            tracker.stop(0);
            DemoCommand.deleteTree(work);
        }
    }

    /**
     * An HTTP tracker on loopback that lists the seed: the seed and the download announce to it, so the tracker
     * client is trained too (untrained, the JDK's HTTP client it used before cost a process a third of a CPU second).
     */
    private HttpServer tracker(final int seedPort) throws IOException {
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        final byte[] seed = ByteBuffer.allocate(6).put(new byte[] {127, 0, 0, 1}).putShort((short) seedPort).array();
        final byte[] reply = Bencode.encode(BDict.builder().put("interval", 1800).put("peers", seed).build());
        server.createContext("/announce", exchange -> {
            announces.incrementAndGet();
            exchange.sendResponseHeaders(200, reply.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(reply);
            }
        });
        server.start();
        return server;
    }

    private static boolean ran(final String... step) {
        final int code = Main.run(step);
        if (code != 0) {
            System.err.println("ccbt aot-training: `ccbt " + String.join(" ", step) + "` exited " + code);
        }
        return code == 0;
    }

    /**
     * {@code ccbt seed} on one thread and {@code ccbt download} from it on this one, both with metrics endpoints a
     * third thread scrapes, and the download's final metrics written to a file, as the bench runs them.
     */
    private static boolean seedAndDownload(final Path work, final Path torrent, final String content,
                                           final int seedPort, final Path download) throws Exception {
        final String seedMetrics = "127.0.0.1:" + freeLoopbackPort();
        final String leechMetrics = "127.0.0.1:" + freeLoopbackPort();
        final Thread seed = Thread.ofPlatform().daemon().name("aot-training-seed").start(() -> Main.run("seed",
            torrent.toString(), content, "--port", Integer.toString(seedPort), "--bind", "127.0.0.1",
            "--state-dir", work.resolve("state-seed").toString(), "--metrics", seedMetrics));
        final AtomicInteger scrapes = new AtomicInteger();
        final Thread scraper = Thread.ofPlatform().daemon().name("aot-training-scraper").start(() -> {
            final long end = System.nanoTime() + 2 * STEP_LIMIT.toNanos();
            while (!Thread.currentThread().isInterrupted() && System.nanoTime() < end) {
                if (scrape(seedMetrics) != null) {
                    scrapes.incrementAndGet();
                }
                if (scrape(leechMetrics) != null) {
                    scrapes.incrementAndGet();
                }
                try {
                    Thread.sleep(SCRAPE_EVERY_MILLIS);
                } catch (final InterruptedException e) {
                    return;
                }
            }
        });
        try {
            if (!awaitSeeding(seedMetrics)) {
                System.err.println("ccbt aot-training: the seed did not start seeding (metrics at " + seedMetrics + ")");
                return false;
            }
            Files.createDirectories(download);
            return ran("download", torrent.toString(), "-o", download.toString(), "--port", "0",
                "--bind", "127.0.0.1", "--peer", "127.0.0.1:" + seedPort, "--timeout", Long.toString(STEP_LIMIT.toSeconds()),
                "--state-dir", work.resolve("state-leech").toString(), "--metrics", leechMetrics,
                "--metrics-file", work.resolve("leecher.prom").toString());
        } finally {
            scraper.interrupt();
            scraper.join(STEP_LIMIT.toMillis());
            if (scrape(seedMetrics) != null) {
                // one more while the seed still runs: a small dataset can be downloaded between two of the thread's
                scrapes.incrementAndGet();
            }
            // the seed runs until interrupted; it then closes its engine and endpoint
            seed.interrupt();
            seed.join(STEP_LIMIT.toMillis());
            System.err.println("ccbt aot-training: " + scrapes.get() + " metrics scrapes");
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Until the seed's engine holds the torrent: from then on it takes peers for it (its port listens earlier, while it
     * checks the data, and turns a peer of an unknown torrent away).
     */
    private static boolean awaitSeeding(final String seedMetrics) throws InterruptedException {
        final long end = System.nanoTime() + STEP_LIMIT.toNanos();
        while (System.nanoTime() < end) {
            final String text = scrape(seedMetrics);
            if (text != null && text.contains("\nccbt_torrents 1\n")) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** One {@code GET /metrics} through ccbt's {@link HttpGet}: the body, or null if it failed. */
    private static String scrape(final String hostPort) {
        try {
            return new String(SCRAPES.get(URI.create("http://" + hostPort + "/metrics")).body(), StandardCharsets.UTF_8);
        } catch (final IOException notUpYet) {
            // the endpoint starts with its command and goes with it
            return null;
        }
    }
}
