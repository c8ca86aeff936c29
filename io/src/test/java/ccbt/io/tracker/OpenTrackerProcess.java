package ccbt.io.tracker;

import ccbt.core.InfoHash;
import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code opentracker} (the Debian package) on 127.0.0.1, serving HTTP and UDP on the same free port.
 * Debian builds it in whitelist mode, so the torrents a test announces are written to its whitelist first.
 * The tracker chroots into {@code dir} and, when started as root, drops to {@code nobody}.
 */
final class OpenTrackerProcess implements AutoCloseable {
    private static final String EXECUTABLE = "opentracker";

    private final Process process;
    private final int port;
    private final Path log;

    private OpenTrackerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The opentracker executable on PATH, if any. */
    static Optional<Path> executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, EXECUTABLE);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Returns the executable; without it, fails the test in CI ({@code CI=true}), where the installer must have put
     * it, and skips it elsewhere.
     */
    static Path requireExecutable() {
        Optional<Path> exe = executable();
        if (exe.isEmpty()) {
            String why = "opentracker is not installed (bash .ci/install-peers installs it)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(why);
            }
            Assumptions.abort(why);
        }
        return exe.get();
    }

    /** Starts opentracker in {@code dir}, allowing the given torrents. Retries on a port lost to a race. */
    static OpenTrackerProcess start(Path dir, List<InfoHash> whitelist) throws IOException, InterruptedException {
        Path exe = requireExecutable();
        List<String> lines = new ArrayList<>();
        for (InfoHash h : whitelist) {
            lines.add(h.hex());
        }
        Files.write(dir.resolve("whitelist.txt"), lines);
        // The tracker runs as nobody after chroot (when we are root): it must be able to read the directory.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir.resolve("whitelist.txt"), PosixFilePermissions.fromString("rw-r--r--"));
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freeTcpAndUdpPort();
            Path log = dir.resolve("opentracker-" + port + ".log");
            List<String> cmd = new ArrayList<>(List.of(exe.toString(),
                    "-i", "127.0.0.1", "-p", Integer.toString(port), "-P", Integer.toString(port),
                    "-d", dir.toString(), "-w", "whitelist.txt"));
            if ("root".equals(System.getProperty("user.name"))) {
                cmd.addAll(List.of("-u", "nobody"));
            }
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            OpenTrackerProcess ot = new OpenTrackerProcess(p, port, log);
            if (ot.awaitListening()) {
                return ot;
            }
            ot.close();
            last = new IOException("opentracker did not listen on 127.0.0.1:" + port + ": " + ot.logText());
        }
        throw last;
    }

    private boolean awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return true;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        return false;
    }

    private static int freeTcpAndUdpPort() throws IOException {
        IOException last = null;
        for (int i = 0; i < 20; i++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    DatagramSocket udp = new DatagramSocket(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp.getLocalPort()))) {
                return udp.getLocalPort();
            } catch (IOException taken) {
                last = taken;
            }
        }
        throw new IOException("no port free for both TCP and UDP on 127.0.0.1", last);
    }

    int port() {
        return port;
    }

    URI httpAnnounce() {
        return URI.create("http://127.0.0.1:" + port + "/announce");
    }

    URI udpAnnounce() {
        return URI.create("udp://127.0.0.1:" + port + "/announce");
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
