package ccbt.bench.swarm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ccbt through its command line ({@code ccbt seed}, {@code ccbt download}, {@code ccbt recheck}), each run in its
 * own JVM with a Prometheus endpoint on loopback that the harness scrapes for progress and stage telemetry.
 */
public final class CcbtClient implements PeerClient {
    static final String DOWNLOADED = "ccbt_downloaded_bytes_total";
    /** The leecher's final metrics, written by ccbt at exit, in its log directory. */
    private static final String LEECHER_METRICS = "ccbt-leecher-metrics.prom";

    private final List<String> launcher;

    /** A client started with {@code launcher} followed by the ccbt arguments (e.g. {@code bin/ccbt}). */
    public CcbtClient(final List<String> launcher) {
        this.launcher = List.copyOf(launcher);
    }

    /**
     * ccbt as this JVM can run it: the classes on its class path (the bench jar bundles the app), else the app's
     * runnable jar under {@code projectRoot}, with this JVM's module flags either way.
     */
    public static CcbtClient locate(final Path projectRoot) {
        final List<String> withAotCache = aotLauncher(projectRoot);
        if (withAotCache != null) {
            return new CcbtClient(withAotCache);
        }
        try {
            Class.forName("ccbt.app.Main", false, CcbtClient.class.getClassLoader());
            return onThisClassPath();
        } catch (final ClassNotFoundException e) {
            final Path jar = projectRoot == null ? null : projectRoot.resolve("app/target/ccbt.jar");
            if (jar == null || !Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("ccbt is neither on the class path nor built at " + jar
                    + "; build it (mvn -pl app -am package) or pass --ccbt COMMAND", e);
            }
            final List<String> command = javaWithModuleFlags();
            command.addAll(List.of("-jar", jar.toString()));
            return new CcbtClient(command);
        }
    }

    /**
     * The launcher for the ccbt classes on this JVM's class path ({@code ccbt.app.Main}), with this JVM's module
     * flags ({@code --add-opens} and the like that the engine needs) passed on, so that the list stays in one place.
     */
    public static CcbtClient onThisClassPath() {
        final List<String> command = javaWithModuleFlags();
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "ccbt.app.Main"));
        return new CcbtClient(command);
    }

    /**
     * The command {@code bin/ccbt} starts ccbt with when it has recorded a JDK AOT cache for the current app jar
     * ({@code app/target/ccbt-launch.args}, one argument a line: the same JVM flags, {@code -XX:AOTCache}, the jar),
     * so that the benchmark measures ccbt as users run it; null when there is no such cache or it is older than the
     * jar (then the JVM would ignore it anyway).
     */
    static List<String> aotLauncher(final Path projectRoot) {
        if (projectRoot == null) {
            return null;
        }
        final Path target = projectRoot.resolve("app/target");
        final Path args = target.resolve("ccbt-launch.args");
        final Path cache = target.resolve("ccbt.aot");
        final Path jar = target.resolve("ccbt.jar");
        try {
            if (!Files.isRegularFile(args) || !Files.isRegularFile(cache) || !Files.isRegularFile(jar)
                || Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar)) < 0) {
                return null;
            }
            final List<String> command = Files.readAllLines(args).stream().filter(l -> !l.isBlank()).toList();
            return command.contains("-jar") ? new ArrayList<>(command) : null;
        } catch (final IOException e) {
            return null;
        }
    }

    private static List<String> javaWithModuleFlags() {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
            Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("--enable-native-access")
                || arg.startsWith("--sun-misc-unsafe-memory-access") || arg.startsWith("-Dchronicle.")) {
                command.add(arg);
            }
        }
        return command;
    }

    @Override
    public String name() {
        return "ccbt";
    }

    @Override
    public BenchPeer seeder(final Payload payload, final Path saveDir, final Path logDir) throws IOException {
        final String metrics = freeLoopbackAddress();
        return start("seeder", metrics, List.of("seed", payload.torrent().toString(), saveDir.toString(),
            "--port", "0", "--bind", "127.0.0.1", "--state-dir", logDir.resolve("ccbt-seeder-state").toString(),
            "--metrics", metrics), false, logDir, null);
    }

    @Override
    public BenchPeer leecher(final Payload payload, final Path saveDir, final List<InetSocketAddress> peers,
                             final Path logDir) throws IOException {
        final String metrics = freeLoopbackAddress();
        final List<String> args = new ArrayList<>(List.of("download", payload.torrent().toString(), "-o",
            saveDir.toString(), "--port", "0", "--bind", "127.0.0.1", "--state-dir",
            logDir.resolve("ccbt-leecher-state").toString(), "--metrics", metrics, "--metrics-file",
            logDir.resolve(LEECHER_METRICS).toString()));
        for (final InetSocketAddress p : peers) {
            args.add("--peer");
            args.add(p.getHostString() + ":" + p.getPort());
        }
        Files.createDirectories(saveDir);
        return start("leecher", metrics, args, true, logDir, logDir.resolve(LEECHER_METRICS));
    }

    @Override
    public BenchPeer recheck(final Payload payload, final Path saveDir, final Path logDir) throws IOException {
        return start("recheck", null, List.of("recheck", payload.torrent().toString(), saveDir.toString()), true, logDir,
            null);
    }

    private BenchPeer start(final String role, final String metrics, final List<String> args, final boolean oneShot,
                            final Path logDir, final Path metricsFile) throws IOException {
        final List<String> command = commandLine(launcher, args);
        return BenchProcess.start(name(), role, command, logDir.resolve("ccbt-" + role + ".log"),
            new Protocol(metrics, metricsFile, oneShot));
    }

    /** {@code launcher} then {@code args}: every command runs with the flags bin/ccbt recorded. */
    static List<String> commandLine(final List<String> launcher, final List<String> args) {
        final List<String> command = new ArrayList<>(launcher);
        command.addAll(args);
        return command;
    }

    /** A free port on 127.0.0.1 for a metrics endpoint (closed again at once; ccbt binds it moments later). */
    static String freeLoopbackAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    /**
     * ccbt's stdout says {@code listening <port>} (a seeder) and {@code downloaded} (a leecher whose pieces are all
     * verified and written, the moment it is timed to; it then flushes them to the device and exits, which also
     * completes a one-shot run); progress and telemetry come from its metrics endpoint, and the final telemetry from
     * the file it writes at exit (when given one), which a short run may not live to be scraped.
     */
    private record Protocol(String metrics, Path metricsFile, boolean oneShot) implements BenchProcess.Protocol {
        @Override
        public void onLine(final BenchProcess peer, final String line) {
            if (line.startsWith("listening ")) {
                peer.listeningOn(Integer.parseInt(line.substring("listening ".length()).strip()));
            } else if (line.startsWith(ccbt.app.RecheckCommand.CHECKING_LINE)) {
                // a recheck's hashing begins: what comes before is the JVM's start and reading the torrent
                peer.firstByte();
            } else if (line.equals(ccbt.app.DownloadCommand.DOWNLOADED_LINE)) {
                // every piece verified and written, as libtorrent's DONE; ccbt's flush to the device follows
                peer.completed();
            }
        }

        @Override
        public void poll(final BenchProcess peer) {
            if (metrics == null) {
                return;
            }
            Prometheus.scrape(metrics).ifPresent(text -> {
                peer.metrics(text);
                try {
                    final double downloaded = Prometheus.sum(Prometheus.parse(text), DOWNLOADED);
                    if (downloaded >= 0) {
                        peer.progress((long) downloaded);
                    }
                } catch (final IllegalArgumentException e) {
                    peer.fail("malformed metrics from ccbt at " + metrics + ": " + e.getMessage());
                }
            });
        }

        @Override
        public void exited(final BenchProcess peer) {
            if (metricsFile != null && Files.isRegularFile(metricsFile)) {
                try {
                    peer.metrics(Files.readString(metricsFile));
                } catch (final IOException e) {
                    throw new UncheckedIOException("cannot read ccbt's final metrics " + metricsFile, e);
                }
            }
        }

        @Override
        public boolean completesOnExit() {
            return oneShot;
        }

        @Override
        public void requestStop(final BenchProcess peer) {
            // A one-shot run that said "downloaded" is flushing to the device and exits by itself (writing its final
            // metrics); BenchProcess.stop() waits for that before it kills. Seeders are signalled.
            if (!oneShot) {
                BenchProcess.Protocol.super.requestStop(peer);
            }
        }
    }
}
