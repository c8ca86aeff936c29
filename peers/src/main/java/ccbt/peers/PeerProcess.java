package ccbt.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One real client process: its output pumped line by line to a parser, to a bounded tail (for failure
 * messages) and optionally to a log file; its own temporary work directory; optionally run under
 * {@code /usr/bin/time} so that its CPU time and peak RSS are known exactly after it exits; and a close that
 * kills the whole process tree. Used by the interop drivers here and by the swarm benchmark.
 */
public final class PeerProcess implements AutoCloseable {
    private static final int TAIL_LINES = 80;
    private static final Duration GRACE = Duration.ofSeconds(3);
    /**
     * Wraps a client that does not watch its stdin (transmission-daemon, opentracker) so that it still dies
     * with the JVM: a SIGKILLed JVM cannot run close() or shutdown hooks, but its pipes close. The shell
     * forwards TERM and HUP to the client and exits with the client's status.
     */
    private static final String STDIN_GUARD = String.join("\n",
        "exec 3<&0",
        "\"$@\" </dev/null &",
        "c=$!",
        "( cat <&3 >/dev/null; kill -TERM \"$c\" 2>/dev/null ) &",
        "trap 'kill -TERM \"$c\" 2>/dev/null' TERM",
        "trap 'kill -HUP \"$c\" 2>/dev/null' HUP",
        "s=0",
        "wait \"$c\" || s=$?",
        "while kill -0 \"$c\" 2>/dev/null; do wait \"$c\"; s=$?; done",
        "exit $s");
    private static final String TIME = "/usr/bin/time";
    // %U %S: user and system seconds, %M: peak RSS in KiB, of the command and the children it waited for
    private static final String TIME_FORMAT = "usage %U %S %M";
    /** Clients still running, killed by a shutdown hook if the JVM exits without closing them. */
    private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (final Process p : LIVE) {
                try (Stream<ProcessHandle> d = p.descendants()) {
                    d.forEach(ProcessHandle::destroyForcibly);
                }
                p.destroyForcibly();
            }
        }, "peer-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path workDir;
    private final Predicate<String> noisy;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final Thread pump;
    /** The latest repeating line of each kind (first word), in first-seen order. */
    private final Map<String, String> lastNoisy = new java.util.LinkedHashMap<>();
    private final long clientPid;
    private final Path usageFile;
    private final java.io.PrintWriter log;
    private volatile boolean closed;

    private PeerProcess(final String name, final Process process, final Path workDir, final Consumer<String> parser,
                        final Predicate<String> noisy, final long clientPid, final Path usageFile,
                        final java.io.PrintWriter log) {
        this.name = name;
        this.process = process;
        this.workDir = workDir;
        this.noisy = noisy;
        this.clientPid = clientPid;
        this.usageFile = usageFile;
        this.log = log;
        this.pump = Thread.ofPlatform().daemon().name("peer-" + name).start(() -> pump(parser));
    }

    /** CPU seconds (user + system) and peak RSS of a client run under {@code /usr/bin/time}, at its exit. */
    public record TimeUsage(double cpuSeconds, long peakRssBytes) {
    }

    /**
     * Starts {@code command} in {@code workDir} (which this object deletes on close).
     *
     * @param noisy lines that repeat (progress reports): only the latest is kept for the tail
     */
    public static PeerProcess start(final String name, final List<String> command, final Path workDir,
                                    final Map<String, String> env, final Consumer<String> parser,
                                    final Predicate<String> noisy) {
        return start(name, command, workDir, env, parser, noisy, false);
    }

    /**
     * As {@link #start(String, List, Path, Map, Consumer, Predicate)}; {@code stdinGuard} runs the client
     * under a shell that kills it when our stdin pipe closes (for clients that ignore stdin).
     */
    public static PeerProcess start(final String name, final List<String> command, final Path workDir,
                                    final Map<String, String> env, final Consumer<String> parser,
                                    final Predicate<String> noisy, final boolean stdinGuard) {
        return launcher(name, command).workDir(workDir).env(env).parser(parser).noisy(noisy)
            .stdinGuard(stdinGuard).start();
    }

    /** A launcher for {@code command}, for options beyond {@link #start(String, List, Path, Map, Consumer, Predicate)}. */
    public static Launcher launcher(final String name, final List<String> command) {
        return new Launcher(name, command);
    }

    /** How to start one client; {@link #start()} launches it. */
    public static final class Launcher {
        private final String name;
        private final List<String> command;
        private Path workDir;
        private boolean ownsWorkDir = true;
        private Map<String, String> env = Map.of();
        private Consumer<String> parser = line -> { };
        private Predicate<String> noisy = line -> false;
        private boolean stdinGuard;
        private Path usageFile;
        private Path logFile;
        private Path stderrFile;

        private Launcher(final String name, final List<String> command) {
            this.name = name;
            this.command = List.copyOf(command);
        }

        /** The client's working directory, deleted on close; default: a fresh temporary directory. */
        public Launcher workDir(final Path dir) {
            this.workDir = dir;
            this.ownsWorkDir = true;
            return this;
        }

        /** Runs the client in {@code dir}, which belongs to the caller and is not deleted on close. */
        public Launcher inDirectory(final Path dir) {
            this.workDir = dir;
            this.ownsWorkDir = false;
            return this;
        }

        /** Extra environment variables. */
        public Launcher env(final Map<String, String> vars) {
            this.env = Map.copyOf(vars);
            return this;
        }

        /** Called for each output line, on the pump thread. */
        public Launcher parser(final Consumer<String> lineParser) {
            this.parser = lineParser;
            return this;
        }

        /** Lines that repeat (progress reports): only the latest is kept for the tail, none go to the log. */
        public Launcher noisy(final Predicate<String> repeating) {
            this.noisy = repeating;
            return this;
        }

        /** Runs the client under a shell that kills it when our stdin closes (for clients that ignore stdin). */
        public Launcher stdinGuard(final boolean guard) {
            this.stdinGuard = guard;
            return this;
        }

        /**
         * Runs the client under {@code /usr/bin/time} (when installed), which writes its CPU time and peak RSS
         * to {@code file} at exit ({@link #timeUsage()}); {@link #pid()} is then the client's, not time's.
         */
        public Launcher timed(final Path file) {
            this.usageFile = file;
            return this;
        }

        /** Appends the command line and every output line but the noisy ones to {@code file}. */
        public Launcher log(final Path file) {
            this.logFile = file;
            return this;
        }

        /** Sends stderr to {@code file} (appended) instead of merging it into the parsed output. */
        public Launcher stderrTo(final Path file) {
            this.stderrFile = file;
            return this;
        }

        /** Starts the client. */
        public PeerProcess start() {
            final Path dir = workDir != null ? workDir : newWorkDir(name);
            final List<String> argv = new java.util.ArrayList<>();
            final boolean timed = usageFile != null && Files.isExecutable(Path.of(TIME));
            if (timed) {
                argv.addAll(List.of(TIME, "-f", TIME_FORMAT, "-o", usageFile.toString()));
            }
            if (stdinGuard) {
                argv.addAll(List.of("/bin/sh", "-c", STDIN_GUARD, name));
            }
            argv.addAll(command);
            final ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile());
            if (stderrFile != null) {
                pb.redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()));
            } else {
                pb.redirectErrorStream(true);
            }
            pb.environment().putAll(env);
            java.io.PrintWriter log = null;
            Process process = null;
            try {
                if (logFile != null) {
                    Files.createDirectories(logFile.toAbsolutePath().getParent());
                    log = new java.io.PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true);
                    log.println("# " + String.join(" ", command));
                }
                process = pb.start();
                LIVE.add(process);
                final long pid = timed ? childOf(process) : process.pid();
                return new PeerProcess(name, process, ownsWorkDir ? dir : null, parser, noisy, pid,
                    timed ? usageFile : null, log);
            } catch (IOException e) {
                if (process != null) {
                    process.destroyForcibly();
                    LIVE.remove(process);
                }
                if (log != null) {
                    log.close();
                }
                if (ownsWorkDir) {
                    Dirs.deleteQuietly(dir);
                }
                throw new IllegalStateException(name + ": cannot start " + command + ": " + e.getMessage(), e);
            }
        }
    }

    /** The pid of the command under {@code /usr/bin/time} (its only child); time forks at once. */
    private static long childOf(final Process wrapper) throws IOException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() - deadline < 0) {
            final java.util.Optional<ProcessHandle> child = wrapper.toHandle().children().findFirst();
            if (child.isPresent()) {
                return child.get().pid();
            }
            if (!wrapper.isAlive()) {
                break;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IOException("could not start " + wrapper.info().commandLine().orElse("client") + " under " + TIME);
    }

    /** A fresh private temporary directory for a client's state. */
    public static Path newWorkDir(final String prefix) {
        try {
            return Files.createTempDirectory("ccbt-peer-" + prefix + "-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temporary directory for " + prefix, e);
        }
    }

    private void pump(final Consumer<String> parser) {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                final boolean repeating = noisy.test(line);
                if (!repeating && log != null) {
                    log.println(line);
                }
                if (repeating) {
                    final int space = line.indexOf(' ');
                    synchronized (lastNoisy) {
                        lastNoisy.put(space < 0 ? line : line.substring(0, space), line);
                    }
                } else {
                    synchronized (tail) {
                        if (tail.size() == TAIL_LINES) {
                            tail.removeFirst();
                        }
                        tail.addLast(line);
                    }
                }
                try {
                    parser.accept(line);
                } catch (RuntimeException e) {
                    remember("[harness] cannot parse line '" + line + "': " + e);
                }
            }
        } catch (IOException e) {
            if (!closed) {
                remember("[harness] output of " + name + " lost: " + e);
            }
        }
    }

    private void remember(final String line) {
        synchronized (tail) {
            tail.addLast(line);
        }
        if (log != null) {
            log.println("# " + line);
        }
    }

    public String name() {
        return name;
    }

    /** The private work directory deleted on close; null when the client runs in a directory of the caller's. */
    public Path workDir() {
        return workDir;
    }

    /** The client's pid (under {@code /usr/bin/time}: the client's, not time's). */
    public long pid() {
        return clientPid;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines of the client's output (repeating progress lines collapsed to the latest one). */
    public String tail() {
        final StringBuilder sb = new StringBuilder();
        synchronized (tail) {
            for (final String line : tail) {
                sb.append("    ").append(line).append('\n');
            }
        }
        synchronized (lastNoisy) {
            for (final String line : lastNoisy.values()) {
                sb.append("    (latest progress) ").append(line).append('\n');
            }
        }
        return sb.toString();
    }

    /** The client's process and everything it started. */
    public List<ProcessHandle> tree() {
        try (Stream<ProcessHandle> d = process.descendants()) {
            return Stream.concat(Stream.of(process.toHandle()), d).toList();
        }
    }

    /** Closes the client's stdin, as a dying JVM would. */
    public void closeStdin() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new IllegalStateException(describe("cannot close stdin"), e);
        }
    }

    /** Writes one command line to the client's stdin. */
    public void send(final String line) {
        try {
            final OutputStream out = process.getOutputStream();
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException(describe("cannot send '" + line + "'") , e);
        }
    }

    /**
     * Waits until {@code condition} holds, polling every 50 ms; fails with the client's output tail when
     * the timeout passes or the process exits first (unless {@code exitIsOk}).
     */
    public void await(final String what, final Duration timeout, final BooleanSupplier condition) {
        await(what, timeout, condition, () -> "");
    }

    /** {@link #await(String, Duration, BooleanSupplier)} whose failure message ends with {@code detail}, read then. */
    public void await(final String what, final Duration timeout, final BooleanSupplier condition,
                      final java.util.function.Supplier<String> detail) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return;
            }
            if (!process.isAlive()) {
                drainPump();
                if (condition.getAsBoolean()) {
                    return;
                }
                throw new AssertionError(describe(what + ": the process exited with code " + process.exitValue()
                    + " first" + detail.get()));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(describe(what + ": not reached within " + timeout + detail.get()));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(describe(what + ": interrupted"), e);
            }
        }
    }

    /** Waits for the process to exit by itself and returns its exit code. */
    public int awaitExit(final String what, final Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(describe(what + ": the process did not exit within " + timeout));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(describe(what + ": interrupted"), e);
        }
        drainPump();
        return process.exitValue();
    }

    private void drainPump() {
        try {
            pump.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A failure message naming the client, its pid and its output tail. */
    public String describe(final String problem) {
        return name + " (pid " + clientPid + "): " + problem + "\n  last output of " + name + ":\n" + tail();
    }

    /**
     * Sends a POSIX signal to the process (e.g. "HUP"; a stdin guard forwards TERM and HUP to the client);
     * the JDK only offers TERM and KILL.
     */
    public void signal(final String signal) {
        try {
            final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException(describe("kill -" + signal + " failed"));
            }
        } catch (IOException e) {
            throw new IllegalStateException(describe("cannot run kill -" + signal), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(describe("interrupted while signalling"), e);
        }
    }

    /** Runs {@code action} once the process has exited and its last output lines have been parsed. */
    public void onExit(final Runnable action) {
        process.onExit().thenRun(() -> {
            drainPump();
            action.run();
        });
    }

    /** Waits up to {@code timeout} for the process to exit; true if it has. */
    public boolean waitFor(final Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The exit status; only after the process has exited. */
    public int exitValue() {
        return process.exitValue();
    }

    /** Writes a note to the log file, if there is one. */
    public void log(final String note) {
        if (log != null) {
            log.println("# " + note);
        }
    }

    /**
     * CPU time and peak RSS as {@code /usr/bin/time} wrote them at the client's exit; empty when not run
     * under time, still running, or killed before time could write them.
     */
    public java.util.Optional<TimeUsage> timeUsage() {
        if (usageFile == null || process.isAlive() || !Files.exists(usageFile)) {
            return java.util.Optional.empty();
        }
        try {
            TimeUsage usage = null;
            for (final String line : Files.readAllLines(usageFile)) {
                // time writes "Command exited with non-zero status N" first when there is one
                if (line.startsWith("usage ")) {
                    final String[] f = line.split(" ");
                    usage = new TimeUsage(Double.parseDouble(f[1]) + Double.parseDouble(f[2]),
                        Long.parseLong(f[3]) * 1024);
                }
            }
            return java.util.Optional.ofNullable(usage);
        } catch (IOException | RuntimeException e) {
            log("unreadable usage file " + usageFile + ": " + e);
            return java.util.Optional.empty();
        }
    }

    /** Closes stdin, terminates the process tree (TERM, then KILL after a grace period) and deletes the work dir. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // the process may already be gone
        }
        final List<ProcessHandle> tree;
        try (Stream<ProcessHandle> descendants = process.descendants()) {
            tree = Stream.concat(descendants, Stream.of(process.toHandle())).toList();
        }
        tree.forEach(ProcessHandle::destroy);
        final long deadline = System.nanoTime() + GRACE.toNanos();
        for (final ProcessHandle h : tree) {
            final long left = deadline - System.nanoTime();
            try {
                h.onExit().get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (Exception notYet) {
                h.destroyForcibly();
            }
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drainPump();
        LIVE.remove(process);
        if (log != null) {
            log.close();
        }
        Dirs.deleteQuietly(workDir);
    }
}
