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
 * One real client process: its merged stdout/stderr pumped line by line to a parser and to a bounded tail
 * (for failure messages), its own temporary work directory, and a close that kills the whole process tree.
 */
final class PeerProcess implements AutoCloseable {
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
        }, "interop-peer-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path workDir;
    private final Predicate<String> noisy;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final Thread pump;
    /** The latest repeating line of each kind (first word), in first-seen order. */
    private final Map<String, String> lastNoisy = new java.util.LinkedHashMap<>();
    private volatile boolean closed;

    private PeerProcess(final String name, final Process process, final Path workDir,
                        final Consumer<String> parser, final Predicate<String> noisy) {
        this.name = name;
        this.process = process;
        this.workDir = workDir;
        this.noisy = noisy;
        this.pump = Thread.ofPlatform().daemon().name("interop-" + name).start(() -> pump(parser));
    }

    /**
     * Starts {@code command} in {@code workDir} (which this object deletes on close).
     *
     * @param noisy lines that repeat (progress reports): only the latest is kept for the tail
     */
    static PeerProcess start(final String name, final List<String> command, final Path workDir,
                             final Map<String, String> env, final Consumer<String> parser,
                             final Predicate<String> noisy) {
        return start(name, command, workDir, env, parser, noisy, false);
    }

    /**
     * As {@link #start(String, List, Path, Map, Consumer, Predicate)}; {@code stdinGuard} runs the client
     * under a shell that kills it when our stdin pipe closes (for clients that ignore stdin).
     */
    static PeerProcess start(final String name, final List<String> command, final Path workDir,
                             final Map<String, String> env, final Consumer<String> parser,
                             final Predicate<String> noisy, final boolean stdinGuard) {
        final List<String> argv = new java.util.ArrayList<>();
        if (stdinGuard) {
            argv.addAll(List.of("/bin/sh", "-c", STDIN_GUARD, name));
        }
        argv.addAll(command);
        final ProcessBuilder pb = new ProcessBuilder(argv).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        try {
            final Process process = pb.start();
            LIVE.add(process);
            return new PeerProcess(name, process, workDir, parser, noisy);
        } catch (IOException e) {
            Dirs.deleteQuietly(workDir);
            throw new IllegalStateException(name + ": cannot start " + command + ": " + e.getMessage(), e);
        }
    }

    /** A fresh private temporary directory for a client's state. */
    static Path newWorkDir(final String prefix) {
        try {
            return Files.createTempDirectory("ccbt-interop-" + prefix + "-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temporary directory for " + prefix, e);
        }
    }

    private void pump(final Consumer<String> parser) {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (noisy.test(line)) {
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
    }

    String name() {
        return name;
    }

    Path workDir() {
        return workDir;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines of the client's output (repeating progress lines collapsed to the latest one). */
    String tail() {
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
    List<ProcessHandle> tree() {
        try (Stream<ProcessHandle> d = process.descendants()) {
            return Stream.concat(Stream.of(process.toHandle()), d).toList();
        }
    }

    /** Closes the client's stdin, as a dying JVM would. */
    void closeStdin() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new IllegalStateException(describe("cannot close stdin"), e);
        }
    }

    /** Writes one command line to the client's stdin. */
    void send(final String line) {
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
    void await(final String what, final Duration timeout, final BooleanSupplier condition) {
        await(what, timeout, condition, () -> "");
    }

    /** {@link #await(String, Duration, BooleanSupplier)} whose failure message ends with {@code detail}, read then. */
    void await(final String what, final Duration timeout, final BooleanSupplier condition,
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
    int awaitExit(final String what, final Duration timeout) {
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
    String describe(final String problem) {
        return name + " (pid " + process.pid() + "): " + problem + "\n  last output of " + name + ":\n" + tail();
    }

    /**
     * Sends a POSIX signal to the process (e.g. "HUP"; a stdin guard forwards TERM and HUP to the client);
     * the JDK only offers TERM and KILL.
     */
    void signal(final String signal) {
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
        Dirs.deleteQuietly(workDir);
    }
}
