package ccbt.bench.swarm;

import ccbt.peers.Aria2Peer;
import ccbt.peers.RealPeers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * aria2c with the interop driver's options ({@link Aria2Peer#command}: listen socket on 127.0.0.1, RPC, DHT, LPD and
 * PEX off), run under the harness's process sampling.
 *
 * <p>aria2 takes no peer address to dial: its leechers find the seeders through the harness's tracker (an
 * opentracker on 127.0.0.1, HTTP), which the torrent of the run names; the harness waits until the tracker lists
 * every seeder before it starts the leechers. A seeder checks its data first and counts as listening once it seeds.
 * A leecher completes when aria2 prints "Download complete"; a recheck ({@code --check-integrity --seed-time=0})
 * when it prints "Verification finished successfully", so neither includes aria2's exit (it lingers up to a second
 * on its event loop's tick after finishing).
 */
public final class Aria2Client implements PeerClient {
    private final String trackerUrl;

    /** A client whose peers announce to {@code trackerUrl} only. */
    public Aria2Client(final String trackerUrl) {
        this.trackerUrl = trackerUrl;
    }

    @Override
    public String name() {
        return "aria2";
    }

    @Override
    public String note() {
        return "aria2 takes no peer address to dial, so in this section every client finds the seeders through an "
            + "opentracker on 127.0.0.1 (HTTP) named in the torrent, ccbt's leecher also dialling them directly as "
            + "elsewhere; the leechers start only after the tracker lists every seeder. aria2 runs with its "
            + "defaults otherwise (disk cache 16 MiB, no file pre-allocation); its completion is the \"Download "
            + "complete\" line, its recheck (`--check-integrity=true --seed-time=0` on the complete data) ends at "
            + "\"Verification finished successfully\", its process start-up included as for the other clients.";
    }

    @Override
    public BenchPeer seeder(final Payload payload, final Path saveDir, final Path logDir) throws IOException {
        final int port = RealPeers.freePort();
        return start("seeder", Aria2Peer.command(payload.torrent(), saveDir, port, trackerUrl, Aria2Peer.Mode.SEED,
            List.of()), new Protocol(port, Aria2Peer.Mode.SEED), logDir);
    }

    @Override
    public BenchPeer leecher(final Payload payload, final Path saveDir, final List<InetSocketAddress> peers,
                             final Path logDir) throws IOException {
        Files.createDirectories(saveDir);
        final int port = RealPeers.freePort();
        return start("leecher", Aria2Peer.command(payload.torrent(), saveDir, port, trackerUrl, Aria2Peer.Mode.LEECH,
            List.of()), new Protocol(port, Aria2Peer.Mode.LEECH), logDir);
    }

    @Override
    public BenchPeer recheck(final Payload payload, final Path saveDir, final Path logDir) throws IOException {
        final int port = RealPeers.freePort();
        return start("recheck", Aria2Peer.command(payload.torrent(), saveDir, port, null, Aria2Peer.Mode.RECHECK,
            List.of()), new Protocol(port, Aria2Peer.Mode.RECHECK), logDir);
    }

    private BenchPeer start(final String role, final List<String> command, final Protocol protocol, final Path logDir)
        throws IOException {
        return BenchProcess.start(name(), role, command, logDir.resolve("aria2-" + role + ".log"), protocol);
    }

    /** aria2's console: listening and seeding notices, summaries with the bytes done, check progress. */
    private record Protocol(int port, Aria2Peer.Mode mode) implements BenchProcess.Protocol {
        @Override
        public void onLine(final BenchProcess peer, final String line) {
            switch (mode) {
                case SEED -> {
                    if (Aria2Peer.isSeedingSummary(line)) {
                        peer.listeningOn(port);
                    }
                }
                case LEECH -> {
                    final long done = Aria2Peer.summaryDoneBytes(line);
                    if (done >= 0) {
                        peer.progress(done);
                    }
                    if (Aria2Peer.isCompleteLine(line)) {
                        peer.completed();
                    }
                }
                case RECHECK -> {
                    final long checked = Aria2Peer.checkedBytes(line);
                    if (checked >= 0) {
                        peer.progress(checked);
                    }
                    if (Aria2Peer.isVerifiedLine(line)) {
                        peer.completed();
                    }
                }
                default -> throw new IllegalStateException("unknown mode " + mode);
            }
        }

        @Override
        public boolean completesOnExit() {
            return mode != Aria2Peer.Mode.SEED;
        }
    }

    /** aria2c's version line, for the report. */
    public static Optional<String> version() {
        return firstLine(List.of("aria2c", "--version"));
    }

    /** The first output line of {@code command}, if it runs and exits with 0 within 20 s. */
    static Optional<String> firstLine(final List<String> command) {
        try {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            final StringBuilder first = new StringBuilder();
            BenchProcess.eachLine(p, line -> {
                if (first.isEmpty()) {
                    first.append(line.strip());
                }
            });
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0 && !first.isEmpty()
                ? Optional.of(first.toString()) : Optional.empty();
        } catch (final IOException e) {
            return Optional.empty();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
