package ccbt.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the real BitTorrent clients live and whether they are installed.
 *
 * <p>One rule for every interop test: in CI ({@code CI=true}) a missing client fails the test, because a
 * green CI run that skipped every interop test proves nothing; on a developer machine it is skipped.
 */
public final class RealPeers {
    /** The Debian python that has {@code python3-libtorrent}; the PATH python may be a pyenv one without it. */
    public static final String PYTHON = "/usr/bin/python3";
    /** Name to pass to {@link #require(String)} for the libtorrent python binding. */
    public static final String LIBTORRENT = "libtorrent";

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final ConcurrentHashMap<String, String> MISSING = new ConcurrentHashMap<>();

    private RealPeers() {
    }

    /**
     * Requires a real client: an executable name found on PATH (or an absolute path), or {@link #LIBTORRENT}.
     * Fails the test in CI and skips it elsewhere when the client is missing.
     */
    public static void require(final String client) {
        final String problem = MISSING.computeIfAbsent(client, RealPeers::probe);
        if (problem.isEmpty()) {
            return;
        }
        final String message = "real peer '" + client + "' is not available: " + problem
            + " (install with .ci/install-peers)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + "; CI=true, so interop tests may not skip");
        }
        Assumptions.abort(message);
    }

    /** True when CI=true in the environment. */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    private static String probe(final String client) {
        if (LIBTORRENT.equals(client)) {
            if (!Files.isExecutable(Path.of(PYTHON))) {
                return PYTHON + " not found";
            }
            return run(PYTHON, "-c", "import libtorrent") ? "" : PYTHON + " cannot import libtorrent";
        }
        return executable(client) != null ? "" : "no executable '" + client + "' on PATH";
    }

    /** The absolute path of an executable on PATH (or an absolute path that is executable), or null. */
    public static Path executable(final String name) {
        if (name.contains("/")) {
            return Files.isExecutable(Path.of(name)) ? Path.of(name) : null;
        }
        final String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin:/usr/bin";
        for (final String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            final Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean run(final String... command) {
        try {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A port that is free on 127.0.0.1 for both TCP and UDP right now. The kernel may hand it to someone else
     * before the client binds it; callers that can detect a failed bind retry with another one.
     */
    public static int freePort() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.setReuseAddress(false);
                tcp.bind(new InetSocketAddress(LOOPBACK, 0));
                final int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, port))) {
                    return port;
                } catch (IOException busyUdp) {
                    // the UDP side of this port is taken: try another
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot bind a loopback port", e);
            }
        }
        throw new IllegalStateException("no port free for both TCP and UDP on 127.0.0.1 after 50 attempts");
    }
}
