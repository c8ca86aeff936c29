package ccbt.bench.swarm;

import ccbt.peers.LibtorrentPeer;
import ccbt.peers.RealPeers;
import ccbt.peers.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    static final String PYTHON = RealPeers.PYTHON;

    private static final BenchProcess.Protocol PROTOCOL = new BenchProcess.Protocol() {
        @Override
        public void onLine(final BenchProcess peer, final String line) {
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
        public void requestStop(final BenchProcess peer) {
            peer.command("QUIT");
        }
    };

    /**
     * A reference seeder's protocol: it checks its data before seeding, and counts as listening only once that check
     * is done (DONE). Started in libtorrent's seed_mode instead, it hashed each piece on the first request for it,
     * which the leecher that went first in a repetition paid for (0.6-1 s of a 1 GiB download, alternately ccbt's
     * and libtorrent's); now both leechers meet a seeder that has already verified everything.
     */
    private static BenchProcess.Protocol seederProtocol() {
        final int[] port = {-1};
        return new BenchProcess.Protocol() {
            @Override
            public void onLine(final BenchProcess peer, final String line) {
                final String[] f = line.split(" ");
                switch (f[0]) {
                    case "LISTEN" -> port[0] = Integer.parseInt(f[1]);
                    case "DONE" -> {
                        peer.completed();
                        peer.listeningOn(port[0]);
                    }
                    default -> PROTOCOL.onLine(peer, line);
                }
            }

            @Override
            public void requestStop(final BenchProcess peer) {
                PROTOCOL.requestStop(peer);
            }
        };
    }

    /** Hashing a multi-GiB payload once takes minutes on a slow disk. */
    private static final Duration MAKE_TORRENT_TIMEOUT = Duration.ofMinutes(10);

    private final Path script;
    private final int hashingThreads;

    /** A client running {@code script} with {@code hashingThreads} hashing threads for rechecks. */
    public LibtorrentClient(final Path script, final int hashingThreads) {
        this.script = script;
        this.hashingThreads = hashingThreads;
    }

    /**
     * The driver script: {@code explicit} if given (to try a modified script), else the one the interop tests use,
     * {@link LibtorrentPeer#script()} (extracted from the ccbt-peers jar).
     */
    public static Path locateScript(final Path explicit) {
        if (explicit != null) {
            if (!Files.isRegularFile(explicit)) {
                throw new IllegalArgumentException("libtorrent driver script not found: " + explicit);
            }
            return explicit;
        }
        return LibtorrentPeer.script();
    }

    @Override
    public String name() {
        return "libtorrent";
    }

    @Override
    public BenchPeer seeder(final Payload payload, final Path saveDir, final Path logDir) throws IOException {
        final List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(), payload.torrent().toString(),
            saveDir.toString(), "seed", "--recheck", "--port", "0", "--no-trackers", "--set",
            "hashing_threads=" + hashingThreads));
        return BenchProcess.start(name(), "seeder", command, logDir.resolve("libtorrent-seeder.log"), seederProtocol());
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
        return BenchProcess.start(name(), role, command, logDir.resolve("libtorrent-" + role + ".log"), PROTOCOL);
    }

    /**
     * Makes a v1 torrent of {@code contentRoot} announcing to {@code trackers} (none: peers are given by address) with
     * libtorrent's own torrent maker ({@link TestData#writeTorrent}), so that the torrent does not depend on the code
     * under test.
     */
    public void makeTorrent(final Path contentRoot, final int pieceSize, final List<String> trackers, final Path out)
        throws IOException {
        try {
            TestData.writeTorrent(contentRoot, pieceSize, trackers, out, MAKE_TORRENT_TIMEOUT);
        } catch (final AssertionError | UncheckedIOException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** libtorrent's version as the Python binding reports it, for the report. */
    public static Optional<String> version() {
        try {
            final Process p = new ProcessBuilder(PYTHON, "-c", "import libtorrent; print(libtorrent.__version__)")
                .redirectErrorStream(true).start();
            final StringBuilder text = new StringBuilder();
            BenchProcess.eachLine(p, text::append);
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
