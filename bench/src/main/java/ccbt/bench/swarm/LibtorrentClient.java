package ccbt.bench.swarm;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * libtorrent-rasterbar through the interop driver script {@code lt_peer.py} (run by the Debian
 * {@code /usr/bin/python3}, which has {@code python3-libtorrent}). The script's stdout protocol is
 * {@code LISTEN port}, {@code PROGRESS done total ...}, {@code DONE}, {@code ERROR text}; it quits on {@code QUIT}.
 * DHT, LSD, UPnP, NAT-PMP and uTP are off in the script and it listens on 127.0.0.1 only.
 */
public final class LibtorrentClient implements PeerClient {
    /** Where the driver script lives on the classpath once the interop drivers move into bench. */
    static final String SCRIPT_RESOURCE = "/peers/lt_peer.py";
    /** Where it lives in the source tree (interop tests, or bench resources), relative to the project root. */
    static final List<String> SCRIPT_PATHS = List.of("bench/src/main/resources/peers/lt_peer.py",
        "app/src/test/resources/interop/lt_peer.py");
    static final String PYTHON = "/usr/bin/python3";

    private static final PeerProcess.Protocol PROTOCOL = new PeerProcess.Protocol() {
        @Override
        public void onLine(final PeerProcess peer, final String line) {
            final String[] f = line.split(" ");
            switch (f[0]) {
                case "LISTEN" -> peer.listeningOn(Integer.parseInt(f[1]));
                case "PROGRESS" -> peer.progress(Long.parseLong(f[1]));
                case "DONE" -> peer.completed();
                case "ERROR" -> peer.fail("libtorrent: " + line.substring(Math.min(line.length(), 6)));
                default -> {
                    // ADDED, UPLOADED, ANNOUNCED: not needed here
                }
            }
        }

        @Override
        public void requestStop(final PeerProcess peer) {
            peer.command("QUIT");
        }
    };

    private final Path script;
    private final int hashingThreads;

    /** A client running {@code script} with {@code hashingThreads} hashing threads for rechecks. */
    public LibtorrentClient(final Path script, final int hashingThreads) {
        this.script = script;
        this.hashingThreads = hashingThreads;
    }

    /**
     * Finds the driver script: {@code explicit} if given, else on the classpath (copied to {@code workDir}), else in
     * the source tree under {@code projectRoot}.
     */
    public static Path locateScript(final Path explicit, final Path projectRoot, final Path workDir) throws IOException {
        if (explicit != null) {
            if (!Files.isRegularFile(explicit)) {
                throw new IllegalArgumentException("libtorrent driver script not found: " + explicit);
            }
            return explicit;
        }
        try (InputStream in = LibtorrentClient.class.getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in != null) {
                final Path copy = workDir.resolve("lt_peer.py");
                Files.createDirectories(workDir);
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                return copy;
            }
        }
        if (projectRoot != null) {
            for (final String p : SCRIPT_PATHS) {
                final Path candidate = projectRoot.resolve(p);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalArgumentException("libtorrent driver script lt_peer.py not found on the classpath ("
            + SCRIPT_RESOURCE + ") nor under " + projectRoot + " " + SCRIPT_PATHS + "; pass --lt-script PATH");
    }

    @Override
    public String name() {
        return "libtorrent";
    }

    @Override
    public BenchPeer seeder(final Payload payload, final Path saveDir, final Path logDir) throws IOException {
        return start("seeder", List.of(payload.torrent().toString(), saveDir.toString(), "seed", "--port", "0",
            "--no-trackers"), logDir);
    }

    @Override
    public BenchPeer leecher(final Payload payload, final Path saveDir, final List<InetSocketAddress> peers,
                             final Path logDir) throws IOException {
        Files.createDirectories(saveDir);
        final List<String> args = new ArrayList<>(List.of(payload.torrent().toString(), saveDir.toString(), "leech",
            "--port", "0", "--no-trackers"));
        for (final InetSocketAddress p : peers) {
            args.add("--peer");
            args.add(p.getHostString() + ":" + p.getPort());
        }
        return start("leecher", args, logDir);
    }

    @Override
    public BenchPeer recheck(final Payload payload, final Path saveDir, final Path logDir) throws IOException {
        // libtorrent hashes with one thread by default; give it as many as ccbt gets, so the comparison is fair
        return start("recheck", List.of(payload.torrent().toString(), saveDir.toString(), "seed", "--recheck",
            "--port", "0", "--no-trackers", "--set", "hashing_threads=" + hashingThreads), logDir);
    }

    private BenchPeer start(final String role, final List<String> args, final Path logDir) throws IOException {
        final List<String> command = new ArrayList<>(List.of(PYTHON, script.toString()));
        command.addAll(args);
        return PeerProcess.start(name(), role, command, logDir.resolve("libtorrent-" + role + ".log"), PROTOCOL);
    }

    /** Makes a v1 torrent of {@code contentRoot} with libtorrent's own torrent maker (the script's make mode). */
    public void makeTorrent(final Path contentRoot, final int pieceSize, final Path out) throws IOException {
        final Process p = new ProcessBuilder(PYTHON, script.toString(), "--make-torrent", contentRoot.toString(),
            Integer.toString(pieceSize), out.toString()).redirectErrorStream(true).start();
        final StringBuilder text = new StringBuilder();
        PeerProcess.eachLine(p, line -> text.append(line).append('\n'));
        try {
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.isRegularFile(out)) {
                p.destroyForcibly();
                throw new IOException("libtorrent could not make a torrent of " + contentRoot + ": " + text.toString().strip());
            }
        } catch (final InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making the torrent", e);
        }
    }

    /** libtorrent's version as the Python binding reports it, for the report. */
    public static Optional<String> version() {
        try {
            final Process p = new ProcessBuilder(PYTHON, "-c", "import libtorrent; print(libtorrent.__version__)")
                .redirectErrorStream(true).start();
            final StringBuilder text = new StringBuilder();
            PeerProcess.eachLine(p, text::append);
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.of(text.toString().strip())
                : Optional.empty();
        } catch (final IOException e) {
            return Optional.empty();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
