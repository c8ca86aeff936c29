package ccbt.bench.swarm;

import ccbt.peers.PeerProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A benchmark client: a {@link PeerProcess} run under {@code /usr/bin/time}, so that its CPU time and peak RSS are
 * exact even when it exits by itself between two samples, and sampled through {@code /proc} while it runs. Its
 * stdout is read line by line by a {@link Protocol}; stdout goes to a log file beside the run, stderr to
 * {@code <log>.stderr}.
 */
public final class BenchProcess implements BenchPeer {
    /** How a client speaks on stdout and how it is stopped. */
    public interface Protocol {
        /** Reacts to one stdout line (port, progress, completion, error). */
        void onLine(BenchProcess peer, String line);

        /** Refreshes progress outside stdout (e.g. a metrics scrape); default: nothing. */
        default void poll(final BenchProcess peer) {
        }

        /** Asks the client to stop; default: SIGTERM to the client process. */
        default void requestStop(final BenchProcess peer) {
            ProcessHandle.of(peer.pid()).ifPresent(ProcessHandle::destroy);
        }

        /** The process has exited; its last stdout lines were passed to {@link #onLine} before. Default: nothing. */
        default void exited(final BenchProcess peer) {
        }

        /** Whether exit status 0 means the work is complete (one-shot commands) rather than a stop. */
        default boolean completesOnExit() {
            return false;
        }
    }

    private final String client;
    private final String role;
    private final Protocol protocol;
    private final PeerProcess process;
    private final CountDownLatch listening = new CountDownLatch(1);
    private final CountDownLatch complete = new CountDownLatch(1);
    private volatile int port = -1;
    private volatile long bytesDone;
    private volatile String failure;
    private volatile String lastMetrics;
    private volatile long peakHwm;
    private volatile ProcessUsage finalUsage;
    private volatile boolean stopping;
    private volatile long completedAt = -1;
    private volatile long firstByteAt = -1;
    /** When the client first reported bytes done (as its output line arrived, or as its metrics were read). */
    private volatile long firstProgressAt = -1;

    private BenchProcess(final String client, final String role, final List<String> command, final Path logFile,
                         final Protocol protocol, final boolean stdinGuard) {
        this.client = client;
        this.role = role;
        this.protocol = protocol;
        final String file = logFile.getFileName().toString();
        this.process = PeerProcess.launcher(client + "-" + role, command)
            // relative paths on the command line (--ccbt bin/ccbt, --out) are meant from where the bench runs
            .inDirectory(Path.of("").toAbsolutePath())
            .timed(logFile.resolveSibling(file + ".usage"))
            .log(logFile)
            .stderrTo(logFile.resolveSibling(file + ".stderr"))
            // progress lines every 200 ms would only bloat the log
            .noisy(line -> line.startsWith("PROGRESS") || line.startsWith("UPLOADED"))
            .parser(this::onLine)
            .stdinGuard(stdinGuard)
            .start();
        process.onExit(this::onExit);
    }

    /** Starts {@code command} as a client process; its log goes to {@code logFile} (+ {@code .stderr}). */
    public static BenchProcess start(final String client, final String role, final List<String> command,
                                     final Path logFile, final Protocol protocol) throws IOException {
        return start(client, role, command, logFile, protocol, false);
    }

    /**
     * As {@link #start(String, String, List, Path, Protocol)}; {@code stdinGuard} runs the client under a shell that
     * stops it when this JVM goes away (for daemons that watch neither stdin nor a parent pid). {@link #pid()} is then
     * the shell's; CPU and RSS are taken over the shell's process tree.
     */
    public static BenchProcess start(final String client, final String role, final List<String> command,
                                     final Path logFile, final Protocol protocol, final boolean stdinGuard)
        throws IOException {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        try {
            return new BenchProcess(client, role, command, logFile, protocol, stdinGuard);
        } catch (final IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private void onLine(final String line) {
        try {
            protocol.onLine(this, line);
        } catch (final RuntimeException e) {
            fail("bad line from " + client + ": " + line + " (" + e.getMessage() + ")");
        }
    }

    private void onExit() {
        // the last stdout lines (DONE, listening) have been parsed by now
        final int code = process.exitValue();
        try {
            protocol.exited(this);
        } catch (final RuntimeException e) {
            fail(client + " " + role + ": " + e.getMessage());
        }
        if (code == 0 && protocol.completesOnExit()) {
            completed();
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
        if (bytes > 0 && firstProgressAt < 0) {
            firstProgressAt = System.nanoTime();
        }
        this.bytesDone = bytes;
    }

    /** The client reports the torrent complete. */
    public void completed() {
        if (completedAt < 0 && failure == null) {
            completedAt = System.nanoTime();
        }
        complete.countDown();
    }

    /** The client reports an error; the run that waits on it fails. */
    public void fail(final String why) {
        if (failure == null) {
            failure = why;
        }
        if (process != null) { // null only if the client fails before the constructor has finished
            process.log("failure: " + why);
        }
    }

    /** Keeps the latest metrics text of a client that serves them. */
    public void metrics(final String text) {
        this.lastMetrics = text;
    }

    /** Writes one line to the client's stdin (for clients that take commands there). */
    public void command(final String line) {
        try {
            process.send(line);
        } catch (final IllegalStateException e) {
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
        return process.pid();
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
            peakHwm = Math.max(peakHwm, treeHwm());
        }
    }

    /** The largest {@code VmHWM} in the client's process tree (the client itself unless it runs under a shell). */
    private long treeHwm() {
        long max = ProcStat.read(process.pid()).map(ProcStat::hwmBytes).orElse(0L);
        final Optional<ProcessHandle> h = ProcessHandle.of(process.pid());
        if (h.isPresent()) {
            for (final ProcessHandle d : h.get().descendants().toList()) {
                max = Math.max(max, ProcStat.read(d.pid()).map(ProcStat::hwmBytes).orElse(0L));
            }
        }
        return max;
    }

    @Override
    public boolean awaitComplete(final Duration timeout) throws InterruptedException {
        return complete.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && failure == null;
    }

    @Override
    public long completedAtNanos() {
        return completedAt;
    }

    /** The client says its payload work began (see {@link BenchPeer#firstByteAtNanos}); only the first call counts. */
    public void firstByte() {
        if (firstByteAt < 0) {
            firstByteAt = System.nanoTime();
        }
    }

    @Override
    public long firstByteAtNanos() {
        return firstByteAt;
    }

    @Override
    public long firstProgressAtNanos() {
        return firstProgressAt;
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
            final Optional<ProcStat> now = ProcStat.read(process.pid());
            if (now.isPresent()) {
                peakHwm = Math.max(peakHwm, treeHwm());
                return new ProcessUsage(now.get().cpuSeconds() + descendantsCpu(), peakHwm, false);
            }
        }
        return exitUsage();
    }

    private double descendantsCpu() {
        return ProcessHandle.of(process.pid()).map(h -> h.descendants()
            .mapToDouble(d -> ProcStat.read(d.pid()).map(ProcStat::cpuSeconds).orElse(0.0)).sum()).orElse(0.0);
    }

    private ProcessUsage exitUsage() {
        if (finalUsage != null) {
            return finalUsage;
        }
        try {
            process.waitFor(Duration.ofSeconds(10));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        final ProcessUsage usage = process.timeUsage()
            .map(t -> new ProcessUsage(t.cpuSeconds(), Math.max(peakHwm, t.peakRssBytes()), true))
            .orElseGet(() -> new ProcessUsage(Double.NaN, peakHwm, true));
        finalUsage = usage;
        return usage;
    }

    @Override
    public ProcessUsage stop() {
        stopping = true;
        if (process.isAlive()) {
            protocol.requestStop(this);
            try {
                if (!process.waitFor(Duration.ofSeconds(10))) {
                    // kill the client only, so that /usr/bin/time still writes its usage
                    ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
                    process.waitFor(Duration.ofSeconds(5));
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        final ProcessUsage usage = process.isAlive() ? null : exitUsage();
        // kills whatever still runs (TERM, then KILL), deletes the private work dir and closes the log
        process.close();
        return usage != null ? usage : exitUsage();
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
