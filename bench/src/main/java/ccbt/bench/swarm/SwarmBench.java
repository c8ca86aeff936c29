package ccbt.bench.swarm;

import ccbt.io.net.TransportFactory;
import ccbt.peers.OpenTracker;
import ccbt.peers.RealPeers;
import ccbt.peers.TestData;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The swarm benchmark: measures the machine's limits, generates the payload once, then runs every scenario with
 * the client under test and the reference client side by side, alternating which goes first, and writes the
 * report, the JSON and the chart. Loopback only; every wait is bounded.
 */
public final class SwarmBench {
    private static final Duration TICK = Duration.ofMillis(250);
    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(60);
    private static final long SEED = 0x63636274L; // "ccbt": the payload is the same bytes on every run

    /** The two sides of a comparison: the client under test and the reference. */
    record Side(String side, PeerClient client) {
    }

    private final SwarmOptions options;
    private final PrintStream console;
    private final Path work;
    private final Path logs;
    private final PeerClient subject;
    private final PeerClient reference;
    private final LibtorrentClient libtorrent;
    /** The HTTP tracker aria2's peers need (it dials no address it is given), else null. */
    private final OpenTracker tracker;
    /** The relay transmission's peers need (it dials no loopback address), else null. */
    private final Relay relay;
    private Payload payload;
    private String loadAtStart = "unknown";
    private CpuShare cpuAtStart;

    private SwarmBench(final SwarmOptions options, final Path projectRoot, final PrintStream console) throws IOException {
        this.options = options;
        this.console = console;
        this.work = options.out().resolve("work");
        this.logs = options.out().resolve("logs");
        Files.createDirectories(work);
        this.libtorrent = new LibtorrentClient(LibtorrentClient.locateScript(options.ltScript()),
            Runtime.getRuntime().availableProcessors());
        final List<String> clients = List.of(options.subject(), options.against());
        requireInstalled(clients);
        this.tracker = clients.contains("aria2") ? OpenTracker.start() : null;
        this.relay = clients.contains("transmission") ? new Relay() : null;
        this.subject = client(options.subject(), options, projectRoot);
        this.reference = client(options.against(), options, projectRoot);
    }

    private PeerClient client(final String name, final SwarmOptions o, final Path projectRoot) {
        return switch (name) {
            case "ccbt" -> o.ccbt() != null ? new CcbtClient(o.ccbt()) : CcbtClient.locate(projectRoot);
            case "libtorrent" -> libtorrent;
            case "aria2" -> new Aria2Client(tracker.httpAnnounceUrl());
            case "transmission" -> new TransmissionClient(relay);
            default -> throw new IllegalArgumentException("unknown client " + name);
        };
    }

    /** The executables each client needs, checked up front so that a missing one is named at once. */
    static List<String> executablesOf(final String client) {
        return switch (client) {
            case "aria2" -> List.of("aria2c", "opentracker");
            case "transmission" -> List.of("transmission-daemon");
            default -> List.of();
        };
    }

    private static void requireInstalled(final List<String> clients) {
        for (final String c : clients) {
            for (final String exe : executablesOf(c)) {
                if (RealPeers.executable(exe) == null) {
                    throw new IllegalArgumentException("bench swarm with " + c + " needs '" + exe
                        + "' on PATH (install the real clients with .ci/install-peers)");
                }
            }
        }
    }

    /** Runs the benchmark and writes the report; returns the results as written to {@code results.json}. */
    public static Map<String, Object> run(final SwarmOptions options, final Path projectRoot, final PrintStream console)
        throws IOException, InterruptedException {
        return new SwarmBench(options, projectRoot, console).run();
    }

    private Map<String, Object> run() throws IOException, InterruptedException {
        final long started = System.currentTimeMillis();
        loadAtStart = loadAverage();
        cpuAtStart = CpuShare.now();
        console.println("bench swarm: measuring the machine's limits in " + work);
        final long diskBytes = Math.max(64L << 20, Math.min(options.size(), 1L << 30));
        final MachineLimits limits = MachineLimits.measure(work, options.quick() ? 64L << 20 : diskBytes, options.quick());
        console.printf("  SHA-1 %.0f MiB/s x %d cores, loopback TCP %.0f MiB/s, disk write %.0f MiB/s, read cold %.0f / cached %.0f MiB/s%n",
            limits.sha1PerCore() / Trial.MIB, limits.cores(), limits.loopbackTcp() / Trial.MIB,
            limits.diskWrite() / Trial.MIB, limits.diskReadCold() / Trial.MIB, limits.diskReadCached() / Trial.MIB);
        console.printf("bench swarm: generating %d bytes in %d file(s), piece size %d%n", options.size(), options.files(),
            options.pieceSize());
        try {
            // aria2's peers find each other only through a tracker: the torrent names the harness's one
            final List<String> trackers = tracker != null ? List.of(tracker.httpAnnounceUrl()) : List.of();
            payload = Payload.generate(work, options.size(), options.files(), options.pieceSize(), SEED,
                (root, pieceSize, out) -> libtorrent.makeTorrent(root, pieceSize, trackers, out));
            if (tracker != null) {
                tracker.allow(TestData.infoHashHex(Files.readAllBytes(payload.torrent())));
            }
            return runScenarios(started, limits);
        } finally {
            if (tracker != null) {
                tracker.close();
            }
            if (relay != null) {
                relay.close();
            }
        }
    }

    private Map<String, Object> runScenarios(final long started, final MachineLimits limits)
        throws IOException, InterruptedException {

        final List<Trial> trials = new ArrayList<>();
        for (final String scenario : options.scenarios()) {
            for (int rep = 1; rep <= options.reps(); rep++) {
                // alternate who goes first, so that neither side always gets the warmer caches
                final Side s = new Side("subject", subject);
                final Side r = new Side("reference", reference);
                final List<Side> order = rep % 2 == 1 ? List.of(s, r) : List.of(r, s);
                final List<Trial> done = runScenario(scenario, rep, order);
                for (final Trial t : done) {
                    console.printf("  %-8s rep %d %-9s %-10s %s%n", scenario, rep, t.side(), t.client(), t.ok()
                        ? String.format("%.2f s  %.1f MiB/s  %.2f CPU s/GiB  %.0f MiB RSS", t.wallSeconds(),
                            t.mibPerSecond(), t.cpuPerGiB(), t.peakRssBytes() / Trial.MIB)
                        : "FAILED: " + t.error());
                }
                trials.addAll(done);
            }
        }
        final Map<String, Object> results = new Report(options, limits, payload, trials, machine(),
            (System.currentTimeMillis() - started) / 1000.0).write();
        deleteTree(work.resolve("seed"));
        return results;
    }

    private Map<String, Object> machine() {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu", cpuModel());
        m.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("memory_gib", Math.round(totalMemory() / Trial.GIB));
        m.put("libtorrent", LibtorrentClient.version().orElse("unknown"));
        final List<String> clients = List.of(options.subject(), options.against());
        if (clients.contains("aria2")) {
            m.put("aria2", Aria2Client.version().orElse("unknown"));
        }
        if (clients.contains("transmission")) {
            m.put("transmission", TransmissionClient.version().orElse("unknown"));
        }
        m.put("transport", "loopback TCP 127.0.0.1; ccbt --transport auto (" + autoOrder() + "); "
            + options.against() + " TCP, uTP off" + (relay != null ? "; every connection through the harness's relay"
            : "") + (tracker != null ? "; peers found through opentracker on 127.0.0.1" : ""));
        m.put("load_average_start", loadAtStart);
        m.put("load_average_end", loadAverage());
        final CpuShare cpuAtEnd = CpuShare.now();
        if (cpuAtStart != null && cpuAtEnd != null) {
            cpuAtEnd.othersSince(cpuAtStart, Runtime.getRuntime().availableProcessors())
                .ifPresent(share -> m.put("other_cpu_share", share));
        }
        final List<String> notes = new ArrayList<>();
        for (final PeerClient c : List.of(subject, reference)) {
            if (!c.note().isEmpty() && !notes.contains(c.note())) {
                notes.add(c.note());
            }
        }
        m.put("notes", notes);
        return m;
    }

    /** {@code --transport auto}'s order as the report shows it: "epoll, else io_uring, else NIO". */
    private static String autoOrder() {
        return String.join(", else ", TransportFactory.AUTO_ORDER.stream().map(t -> switch (t) {
            case IO_URING -> "io_uring";
            case EPOLL -> "epoll";
            default -> t.name();
        }).toList());
    }

    /** The 1, 5 and 15 minute load averages when the run started, as {@code /proc/loadavg} gives them. */
    private static String loadAverage() {
        try {
            final String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (final IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip())
                .orElse("unknown");
        } catch (final IOException e) {
            return "unknown";
        }
    }

    private static long totalMemory() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal:")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(0L);
        } catch (final IOException e) {
            return 0;
        }
    }

    /** One repetition of one scenario: both sides, in {@code order}. */
    private List<Trial> runScenario(final String scenario, final int rep, final List<Side> order)
        throws IOException, InterruptedException {
        final List<Trial> out = new ArrayList<>();
        switch (scenario) {
            case "download", "swarm" -> {
                // the same reference seeders serve both leechers of the repetition
                final int k = scenario.equals("download") ? 1 : options.seeders();
                final Path dir = logs.resolve(scenario).resolve("rep" + rep + "-seeders");
                final List<BenchPeer> seeders = new ArrayList<>();
                try {
                    for (int i = 0; i < k; i++) {
                        seeders.add(reference.seeder(payload, payload.saveDir(), dir.resolve("seeder" + i)));
                    }
                    for (int i = 0; i < order.size(); i++) {
                        final Side side = order.get(i);
                        out.add(trial(scenario, side, rep, i + 1, seeders, 1, side.client(), false));
                    }
                } finally {
                    seeders.forEach(BenchPeer::stop);
                }
            }
            case "upload", "fanout" -> {
                final int n = scenario.equals("upload") ? 1 : options.leechers();
                for (int i = 0; i < order.size(); i++) {
                    final Side side = order.get(i);
                    final Path dir = logs.resolve(scenario).resolve("rep" + rep + "-" + side.side());
                    try (BenchPeer seeder = side.client().seeder(payload, payload.saveDir(), dir)) {
                        out.add(trial(scenario, side, rep, i + 1, List.of(seeder), n, reference, true));
                    }
                }
            }
            case "recheck" -> {
                for (int i = 0; i < order.size(); i++) {
                    out.add(trial(scenario, order.get(i), rep, i + 1, List.of(), 0, null, false));
                }
            }
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
        return out;
    }

    /**
     * Runs {@code leechers} leechers of {@code leecherClient} against {@code seeders} (or, with no leechers, a recheck
     * by the side's client) and measures the seeder ({@code measureSeeder}) or the leecher/recheck.
     */
    private Trial trial(final String scenario, final Side side, final int rep, final int order,
                        final List<BenchPeer> seeders, final int leechers, final PeerClient leecherClient,
                        final boolean measureSeeder) throws IOException, InterruptedException {
        final boolean recheck = leechers == 0;
        final Path trialDir = work.resolve(scenario + "-rep" + rep + "-" + side.side());
        final Path logDir = logs.resolve(scenario).resolve("rep" + rep + "-" + side.side());
        final long bytes = payload.totalBytes() * Math.max(1, leechers);
        final Duration timeout = Duration.ofSeconds(options.timeoutSeconds() > 0 ? options.timeoutSeconds()
            : 60 + bytes / (20L << 20));
        final List<BenchPeer> running = new ArrayList<>();
        final List<double[]> series = new ArrayList<>();
        final List<Double> ringFill = new ArrayList<>();
        String error = null;
        double wall = Double.NaN;
        double firstByte = Double.NaN;
        boolean firstByteSaid = false;
        ProcessUsage measured = new ProcessUsage(Double.NaN, 0, false);
        String metrics = null;
        final List<Map<String, Object>> processes = new ArrayList<>();
        BenchPeer measuredPeer = null;
        try {
            final List<InetSocketAddress> ports = new ArrayList<>();
            for (final BenchPeer s : seeders) {
                ports.add(new InetSocketAddress("127.0.0.1", s.awaitListening(LISTEN_TIMEOUT)));
            }
            if (tracker != null && !recheck) {
                // aria2's leechers learn the seeders only from the tracker: start them once it lists every seeder
                TrackerProbe.awaitListed(tracker.httpAnnounceUrl(), payload.torrent(), ports, LISTEN_TIMEOUT);
            }
            final List<InetSocketAddress> dialled = new ArrayList<>();
            for (final InetSocketAddress p : ports) {
                // with a relay in use, a client that dials goes through it too, so both sides pay for one hop
                dialled.add(relay != null && !recheck && leecherClient.dialsLoopback() ? relay.forward(p) : p);
            }
            BenchPeer checker = null;
            final long launched = System.nanoTime();
            if (recheck) {
                checker = side.client().recheck(payload, payload.saveDir(), logDir);
                running.add(checker);
            }
            final double cpuBefore = measureSeeder ? seeders.getFirst().usage().cpuSeconds()
                : recheck && side.client().recheckStartsOnBegin() ? checker.usage().cpuSeconds() : 0;
            // a recheck that runs from its process start is timed from the launch; a prepared one from begin()
            final long t0 = recheck && !side.client().recheckStartsOnBegin() ? launched : System.nanoTime();
            if (recheck) {
                checker.begin();
            } else {
                for (int i = 0; i < leechers; i++) {
                    running.add(leecherClient.leecher(payload, trialDir.resolve("leecher" + i), dialled,
                        logDir.resolve(leechers == 1 ? "." : "leecher" + i).normalize()));
                }
            }
            measuredPeer = measureSeeder ? seeders.getFirst() : running.getFirst();
            final long deadline = t0 + timeout.toNanos();
            while (true) {
                long doneBytes = 0;
                for (final BenchPeer p : running) {
                    p.poll();
                    doneBytes += p.bytesDone();
                }
                for (final BenchPeer p : seeders) {
                    p.poll();
                }
                final double t = (System.nanoTime() - t0) / 1e9;
                series.add(new double[] {t, doneBytes});
                if (doneBytes > 0 && Double.isNaN(firstByte)) {
                    firstByte = t;
                }
                measuredPeer.lastMetrics().flatMap(SwarmBench::ringFill).ifPresent(ringFill::add);
                final Optional<String> failed = running.stream().map(BenchPeer::failure).flatMap(Optional::stream)
                    .findFirst().or(() -> seeders.stream().map(BenchPeer::failure).flatMap(Optional::stream).findFirst());
                if (failed.isPresent()) {
                    error = failed.get();
                    break;
                }
                if (allComplete(running)) {
                    // the time the last one reported completion, not this sampler's tick, when the clients say
                    long last = Long.MIN_VALUE;
                    for (final BenchPeer p : running) {
                        last = p.completedAtNanos() < 0 ? Long.MIN_VALUE : Math.max(last, p.completedAtNanos());
                        if (last == Long.MIN_VALUE) {
                            break;
                        }
                    }
                    wall = ((last != Long.MIN_VALUE ? last : System.nanoTime()) - t0) / 1e9;
                    // the first progress report as it arrived is at least as early as the tick that saw it (the
                    // tick comes after a round over every process, and scraping a seeder's metrics lengthens it)
                    for (final BenchPeer p : running) {
                        if (p.firstProgressAtNanos() >= 0) {
                            final double reported = (p.firstProgressAtNanos() - t0) / 1e9;
                            firstByte = Double.isNaN(firstByte) ? reported : Math.min(firstByte, reported);
                        }
                    }
                    // a client that says when its payload work began is more precise than the first progress tick
                    for (final BenchPeer p : running) {
                        if (p.firstByteAtNanos() >= 0) {
                            final double said = (p.firstByteAtNanos() - t0) / 1e9;
                            firstByte = Double.isNaN(firstByte) ? said : Math.min(firstByte, said);
                            firstByteSaid = true;
                        }
                    }
                    series.add(new double[] {wall, bytes});
                    break;
                }
                if (System.nanoTime() - deadline > 0) {
                    error = "timed out after " + timeout.toSeconds() + " s with " + doneBytes + " of " + bytes + " bytes";
                    break;
                }
                Thread.sleep(TICK);
            }
            final ProcessUsage atEnd = measuredPeer.usage();
            measured = new ProcessUsage(atEnd.cpuSeconds() - cpuBefore, atEnd.peakRssBytes(), atEnd.exited());
            metrics = measuredPeer.lastMetrics().orElse(null);
        } catch (final IllegalStateException e) {
            error = e.getMessage(); // a seeder that never listened
        } catch (final IOException e) {
            error = e.getMessage(); // a tracker that did not list a seeder, a relay that could not connect
        } finally {
            if (relay != null) {
                relay.reset();
            }
            for (final BenchPeer p : running) {
                processes.add(processMap(p, p.stop(), p == measuredPeer));
            }
            for (final BenchPeer p : seeders) {
                processes.add(processMap(p, p.usage(), p == measuredPeer));
            }
        }
        if (measuredPeer != null && running.contains(measuredPeer)) {
            // a client that reported completion before exiting has written its final telemetry since
            metrics = measuredPeer.lastMetrics().orElse(metrics);
        }
        long peak = measured.peakRssBytes();
        for (final Map<String, Object> p : processes) {
            if (p.get("measured") == Boolean.TRUE) {
                peak = Math.max(peak, (Long) p.get("peak_rss_bytes"));
            }
        }
        if (error == null && !recheck) {
            for (int i = 0; i < leechers && error == null; i++) {
                error = payload.verify(trialDir.resolve("leecher" + i)).map(e -> "verification failed: " + e).orElse(null);
            }
        }
        deleteTree(trialDir);
        final String client = measureSeeder || recheck ? side.client().name() : leecherClient.name();
        return new Trial(scenario, side.side(), client, rep, order, error == null, error, error == null ? wall : Double.NaN,
            bytes, measured.cpuSeconds(), peak, firstByte, firstByteSaid, series, processes, metrics, ringFill);
    }

    private static boolean allComplete(final List<BenchPeer> peers) throws InterruptedException {
        for (final BenchPeer p : peers) {
            if (!p.awaitComplete(Duration.ZERO)) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Object> processMap(final BenchPeer p, final ProcessUsage u, final boolean measured) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("client", p.client());
        m.put("role", p.role());
        m.put("pid", p.pid());
        m.put("cpu_s", u.cpuSeconds());
        m.put("peak_rss_bytes", u.peakRssBytes());
        m.put("measured", measured);
        return m;
    }

    /** Sum of {@code ccbt_ring_fill} over its series, if the text has it. */
    static Optional<Double> ringFill(final String metricsText) {
        try {
            final double v = Prometheus.sum(Prometheus.parse(metricsText), "ccbt_ring_fill");
            return v >= 0 ? Optional.of(v) : Optional.empty();
        } catch (final IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static void deleteTree(final Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
