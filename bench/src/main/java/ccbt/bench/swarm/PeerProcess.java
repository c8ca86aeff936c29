package ccbt.bench.swarm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A client process run under {@code /usr/bin/time}, so that its CPU time and peak RSS are exact even when it exits
 * by itself between two samples, and sampled through {@code /proc} while it runs. Its stdout is read line by line
 * by a {@link Protocol}; stdout and stderr are kept in a log file beside the run.
 */
public final class PeerProcess implements BenchPeer {
    /** How a client speaks on stdout and how it is stopped. */
    public interface Protocol {
        /** Reacts to one stdout line (port, progress, completion, error). */
        void onLine(PeerProcess peer, String line);

        /** Refreshes progress outside stdout (e.g. a metrics scrape); default: nothing. */
        default void poll(final PeerProcess peer) {
        }

        /** Asks the client to stop; default: SIGTERM to the client process. */
        default void requestStop(final PeerProcess peer) {
            ProcessHandle.of(peer.pid()).ifPresent(ProcessHandle::destroy);
        }

        /** Whether exit status 0 means the work is complete (one-shot commands) rather than a stop. */
        default boolean completesOnExit() {
            return false;
        }
    }

    private static final String TIME = "/usr/bin/time";
    /** Client processes not yet exited: killed if the harness itself is stopped, so that no seeder outlives it. */
    private static final java.util.Set<PeerProcess> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (final PeerProcess p : LIVE) {
                ProcessHandle.of(p.pid).ifPresent(ProcessHandle::destroyForcibly);
                p.process.destroyForcibly();
            }
        }, "bench-peer-reaper"));
    }

    // %U %S: user and system seconds, %M: peak RSS in KiB, of the command and the children it waited for
    private static final String TIME_FORMAT = "usage %U %S %M";

    private final String client;
    private final String role;
    private final Protocol protocol;
    private final Process process;
    private final Path usageFile;
    private final PrintWriter log;
    private final long pid;
    private final CountDownLatch listening = new CountDownLatch(1);
    private final CountDownLatch complete = new CountDownLatch(1);
    private final Thread reader;
    private volatile int port = -1;
    private volatile long bytesDone;
    private volatile String failure;
    private volatile String lastMetrics;
    private volatile long peakHwm;
    private volatile ProcessUsage finalUsage;
    private volatile boolean stopping;

    private PeerProcess(final String client, final String role, final List<String> command, final Path logFile,
                        final Protocol protocol) throws IOException {
        this.client = client;
        this.role = role;
        this.protocol = protocol;
        Files.createDirectories(logFile.getParent());
        this.usageFile = logFile.resolveSibling(logFile.getFileName() + ".usage");
        this.log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true);
        log.println("# " + String.join(" ", command));
        final List<String> wrapped = new ArrayList<>();
        final boolean timed = Files.isExecutable(Path.of(TIME));
        if (timed) {
            wrapped.addAll(List.of(TIME, "-f", TIME_FORMAT, "-o", usageFile.toString()));
        }
        wrapped.addAll(command);
        final ProcessBuilder builder = new ProcessBuilder(wrapped).redirectError(ProcessBuilder.Redirect.appendTo(
            logFile.resolveSibling(logFile.getFileName() + ".stderr").toFile()));
        this.process = builder.start();
        this.pid = timed ? childOf(process) : process.pid();
        LIVE.add(this);
        this.reader = Thread.ofVirtual().name("bench-" + client + "-" + role).start(this::readStdout);
        process.onExit().thenRun(this::onExit);
    }

    /** Starts {@code command} as a client process; its log goes to {@code logFile} (+ {@code .stderr}). */
    public static PeerProcess start(final String client, final String role, final List<String> command,
                                    final Path logFile, final Protocol protocol) throws IOException {
        return new PeerProcess(client, role, command, logFile, protocol);
    }

    /** The pid of the command under {@code /usr/bin/time} (its only child); time forks at once. */
    private static long childOf(final Process wrapper) throws IOException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() - deadline < 0) {
            final Optional<ProcessHandle> child = wrapper.toHandle().children().findFirst();
            if (child.isPresent()) {
                return child.get().pid();
            }
            if (!wrapper.isAlive()) {
                break;
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(2);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        wrapper.destroyForcibly();
        throw new IOException("could not start " + wrapper.info().commandLine().orElse("client") + " under " + TIME);
    }

    private void readStdout() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.startsWith("PROGRESS") && !line.startsWith("UPLOADED")) {
                    log.println(line); // progress lines every 200 ms would only bloat the log
                }
                try {
                    protocol.onLine(this, line);
                } catch (final RuntimeException e) {
                    fail("bad line from " + client + ": " + line + " (" + e.getMessage() + ")");
                }
            }
        } catch (final IOException e) {
            // the stream closes when the process dies
        }
    }

    private void onExit() {
        LIVE.remove(this);
        try {
            reader.join(2000); // let the last stdout lines (DONE, listening) be seen first
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        final int code = process.exitValue();
        if (code == 0 && protocol.completesOnExit()) {
            complete.countDown();
        } else if (complete.getCount() > 0 && failure == null && !stopping) {
            failure = client + " " + role + " exited with status " + code + " before completing";
        }
        listening.countDown();
        complete.countDown();
    }

    // --- called by protocols ---

    /** The client listens on {@code port}. */
    public void listeningOn(final int port) {
        this.port = port;
        listening.countDown();
    }

    /** The client reports {@code bytes} done. */
    public void progress(final long bytes) {
        this.bytesDone = bytes;
    }

    /** The client reports the torrent complete. */
    public void completed() {
        complete.countDown();
    }

    /** The client reports an error; the run that waits on it fails. */
    public void fail(final String why) {
        if (failure == null) {
            failure = why;
        }
        log.println("# failure: " + why);
    }

    /** Keeps the latest metrics text of a client that serves them. */
    public void metrics(final String text) {
        this.lastMetrics = text;
    }

    /** Writes one line to the client's stdin (for clients that take commands there). */
    public void command(final String line) {
        try {
            final OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (final IOException e) {
            // already gone: nothing to tell it
        }
    }

    /** Whether the client process still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    // --- BenchPeer ---

    @Override
    public String client() {
        return client;
    }

    @Override
    public String role() {
        return role;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public int awaitListening(final Duration timeout) throws InterruptedException {
        if (!listening.await(timeout.toMillis(), TimeUnit.MILLISECONDS) || port < 0) {
            throw new IllegalStateException(client + " " + role + " did not report a listening port within "
                + timeout.toSeconds() + " s" + failure().map(f -> ": " + f).orElse(""));
        }
        return port;
    }

    @Override
    public long bytesDone() {
        return bytesDone;
    }

    @Override
    public void poll() {
        if (process.isAlive()) {
            protocol.poll(this);
            ProcStat.read(pid).ifPresent(s -> peakHwm = Math.max(peakHwm, s.hwmBytes()));
        }
    }

    @Override
    public boolean awaitComplete(final Duration timeout) throws InterruptedException {
        return complete.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && failure == null;
    }

    /** Whether the client reported completion (or a failure) already, without waiting. */
    public boolean finished() {
        return complete.getCount() == 0;
    }

    @Override
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public Optional<String> lastMetrics() {
        return Optional.ofNullable(lastMetrics);
    }

    @Override
    public ProcessUsage usage() {
        if (process.isAlive()) {
            final Optional<ProcStat> now = ProcStat.read(pid);
            if (now.isPresent()) {
                peakHwm = Math.max(peakHwm, now.get().hwmBytes());
                return new ProcessUsage(now.get().cpuSeconds() + descendantsCpu(), peakHwm, false);
            }
        }
        return exitUsage();
    }

    private double descendantsCpu() {
        return ProcessHandle.of(pid).map(h -> h.descendants()
            .mapToDouble(d -> ProcStat.read(d.pid()).map(ProcStat::cpuSeconds).orElse(0.0)).sum()).orElse(0.0);
    }

    private ProcessUsage exitUsage() {
        if (finalUsage != null) {
            return finalUsage;
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ProcessUsage usage = new ProcessUsage(Double.NaN, peakHwm, true);
        try {
            if (Files.exists(usageFile)) {
                for (final String line : Files.readAllLines(usageFile)) {
                    // time writes "Command exited with non-zero status N" first when there is one
                    if (line.startsWith("usage ")) {
                        final String[] f = line.split(" ");
                        usage = new ProcessUsage(Double.parseDouble(f[1]) + Double.parseDouble(f[2]),
                            Math.max(peakHwm, Long.parseLong(f[3]) * 1024), true);
                    }
                }
            }
        } catch (final IOException | RuntimeException e) {
            log.println("# unreadable usage file " + usageFile + ": " + e);
        }
        finalUsage = usage;
        return usage;
    }

    @Override
    public ProcessUsage stop() {
        stopping = true;
        if (process.isAlive()) {
            protocol.requestStop(this);
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    if (!process.waitFor(5, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                        process.waitFor(5, TimeUnit.SECONDS);
                    }
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
        final ProcessUsage usage = exitUsage();
        log.flush();
        return usage;
    }

    /** Runs {@code action} for each line until the stream ends; for the simple one-shot helpers. */
    static void eachLine(final Process p, final Consumer<String> action) throws IOException {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                action.accept(line);
            }
        }
    }
}
