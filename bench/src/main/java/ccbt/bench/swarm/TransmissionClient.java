package ccbt.bench.swarm;

import ccbt.peers.RealPeers;
import ccbt.peers.TestData;
import ccbt.peers.TransmissionPeer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * transmission-daemon with the interop driver's settings ({@link TransmissionPeer#settings}: peer and RPC sockets on
 * 127.0.0.1, DHT, LPD, PEX, uTP and port forwarding off), run under the harness's process sampling and driven over
 * its RPC by a virtual thread per daemon.
 *
 * <p>Transmission never dials a 127.x address, so its leechers are connected to the seeders by the harness's
 * {@link Relay} (and the other client's leecher goes through the same relay). A seeder verifies its data when the
 * torrent is added and counts as listening once it seeds. A leecher completes when every piece is downloaded and
 * verified ({@code haveValid} = size, no check pending), polled every 50 ms.
 *
 * <p>Recheck: the daemon is started and the torrent added paused with an empty download directory before the clock
 * starts (adding a torrent whose data exists would check it at once, untimed); {@link BenchPeer#begin()} points the
 * torrent at the complete data ({@code torrent-set-location}, no move) and asks for {@code torrent-verify}; the check
 * is over when all bytes are valid and no check is pending, polled every 10 ms. So transmission's figure is its
 * verify step alone, without its start-up, which the other clients' rechecks include.
 */
public final class TransmissionClient implements PeerClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration READY = Duration.ofSeconds(30);
    private static final long LEECH_POLL_MS = 50;
    private static final long CHECK_POLL_MS = 10;
    private static final Duration RPC_PATIENCE = Duration.ofSeconds(30);

    private final Relay relay;

    /** A client whose leechers are connected to their seeders by {@code relay}. */
    public TransmissionClient(final Relay relay) {
        this.relay = relay;
    }

    @Override
    public String name() {
        return "transmission";
    }

    @Override
    public boolean dialsLoopback() {
        return false;
    }

    @Override
    public boolean recheckStartsOnBegin() {
        return true;
    }

    @Override
    public String note() {
        return "transmission never dials a 127.x address, so in this section every leecher–seeder connection goes "
            + "through one relay in the harness JVM (both clients' alike; the relay's CPU is counted for neither): "
            + "ccbt's leecher dials a front port of the relay, and the relay connects transmission's leechers by "
            + "dialling both peers and passing the handshakes on. transmission runs with its defaults otherwise (its "
            + "unchoke round, not the harness, decides when it starts sending). Its recheck is the `torrent-verify` "
            + "step alone, timed from the RPC call until every byte is valid (polled every 10 ms): daemon start-up "
            + "and torrent loading are left out, whereas ccbt's and the other clients' rechecks include their process "
            + "start.";
    }

    @Override
    public BenchPeer seeder(final Payload payload, final Path saveDir, final Path logDir) throws IOException {
        final Daemon d = Daemon.start("seeder", saveDir, logDir);
        d.drive(() -> {
            d.rpc.add(payload.torrent(), saveDir, false);
            while (d.process.isAlive()) {
                final JsonNode t = d.status();
                if (t.path("status").asInt() == TransmissionPeer.Rpc.SEED && TransmissionPeer.Rpc.complete(t)) {
                    d.process.listeningOn(d.peerPort);
                    return;
                }
                Thread.sleep(LEECH_POLL_MS);
            }
        });
        return d.process;
    }

    @Override
    public BenchPeer leecher(final Payload payload, final Path saveDir, final List<InetSocketAddress> peers,
                             final Path logDir) throws IOException {
        Files.createDirectories(saveDir);
        final byte[] infoHash = infoHash(payload);
        final Daemon d = Daemon.start("leecher", saveDir, logDir);
        d.drive(() -> {
            d.rpc.add(payload.torrent(), saveDir, false);
            // transmission drops connections to a torrent it is still checking: wait for the (empty) check to end
            while (d.status().path("status").asInt() <= TransmissionPeer.Rpc.CHECK) {
                Thread.sleep(LEECH_POLL_MS);
            }
            for (final InetSocketAddress p : peers) {
                relay.introduce(new InetSocketAddress("127.0.0.1", d.peerPort), p, infoHash);
            }
            d.followUntilComplete(LEECH_POLL_MS);
        });
        return d.process;
    }

    @Override
    public BenchPeer recheck(final Payload payload, final Path saveDir, final Path logDir) throws IOException {
        final Path empty = Files.createDirectories(logDir.resolve("transmission-recheck-empty"));
        final Daemon d = Daemon.start("recheck", empty, logDir);
        try {
            d.awaitRpc();
            d.rpc.add(payload.torrent(), empty, true);
            final long deadline = System.nanoTime() + READY.toNanos();
            while (true) {
                final JsonNode t = d.status();
                final int st = t.path("status").asInt();
                if (st == TransmissionPeer.Rpc.STOPPED && t.path("haveValid").asLong(-1) == 0) {
                    break;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("transmission did not settle with no data before the recheck: " + t);
                }
                Thread.sleep(CHECK_POLL_MS);
            }
        } catch (final IOException | RuntimeException e) {
            d.process.stop();
            throw new IOException("transmission recheck set-up failed: " + e.getMessage(), e);
        } catch (final InterruptedException e) {
            d.process.stop();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Recheck(d, saveDir);
    }

    private static byte[] infoHash(final Payload payload) throws IOException {
        return HexFormat.of().parseHex(TestData.infoHashHex(Files.readAllBytes(payload.torrent())));
    }

    /** transmission-daemon's version line, for the report. */
    public static Optional<String> version() {
        return Aria2Client.firstLine(List.of("transmission-daemon", "-V"));
    }

    /** One daemon: its process under the harness's sampling and its RPC. */
    private static final class Daemon {
        final BenchProcess process;
        final TransmissionPeer.Rpc rpc;
        final int peerPort;

        private Daemon(final BenchProcess process, final TransmissionPeer.Rpc rpc, final int peerPort) {
            this.process = process;
            this.rpc = rpc;
            this.peerPort = peerPort;
        }

        static Daemon start(final String role, final Path downloadDir, final Path logDir) throws IOException {
            final int peerPort = RealPeers.freePort();
            int rpcPort = RealPeers.freePort();
            while (rpcPort == peerPort) {
                rpcPort = RealPeers.freePort();
            }
            final Path config = logDir.resolve("transmission-" + role + "-config");
            SwarmBench.deleteTree(config);
            Files.createDirectories(config);
            final Map<String, Object> settings = TransmissionPeer.settings(downloadDir, peerPort, rpcPort);
            TransmissionPeer.writeSettings(config, settings);
            // the daemon watches neither stdin nor a parent: the stdin guard stops it if this JVM dies
            final BenchProcess p = BenchProcess.start("transmission", role, TransmissionPeer.command(config),
                logDir.resolve("transmission-" + role + ".log"), (peer, line) -> { }, true);
            return new Daemon(p, new TransmissionPeer.Rpc(rpcPort), peerPort);
        }

        void awaitRpc() throws IOException, InterruptedException {
            final long deadline = System.nanoTime() + READY.toNanos();
            while (!rpc.answers()) {
                if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                    throw new IOException("transmission-daemon's RPC did not answer within " + READY.toSeconds() + " s"
                        + (process.isAlive() ? "" : " (the daemon exited)"));
                }
                Thread.sleep(20);
            }
        }

        /**
         * The torrent's fields; an RPC call that times out or fails in transport is retried for up to
         * {@link #RPC_PATIENCE} (a busy machine with nine daemons answering at once), while the daemon lives.
         */
        /** Reports the valid bytes every {@code pollMillis} until every byte is valid (or the daemon exits). */
        void followUntilComplete(final long pollMillis) throws IOException, InterruptedException {
            while (process.isAlive()) {
                final JsonNode t = status();
                process.progress(t.path("haveValid").asLong());
                if (TransmissionPeer.Rpc.complete(t)) {
                    process.completed();
                    return;
                }
                Thread.sleep(pollMillis);
            }
        }

        JsonNode status() throws IOException {
            final long deadline = System.nanoTime() + RPC_PATIENCE.toNanos();
            while (true) {
                try {
                    return checked(rpc.torrent());
                } catch (final java.net.http.HttpTimeoutException | java.net.ConnectException e) {
                    if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                        throw new IOException("transmission's RPC did not answer for " + RPC_PATIENCE.toSeconds()
                            + " s: " + e, e);
                    }
                    try {
                        Thread.sleep(200);
                    } catch (final InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", interrupted);
                    }
                }
            }
        }

        private static JsonNode checked(final JsonNode t) throws IOException {
            if (t.path("error").asInt() == 3) { // 1-2 are tracker warnings (no tracker here), 3 a local error
                throw new IOException("transmission local error: " + t.path("errorString").asText());
            }
            return t;
        }

        /** Runs {@code steps} on a virtual thread once the RPC answers; any failure fails the process's run. */
        void drive(final Steps steps) {
            Thread.ofVirtual().name("transmission-" + process.role()).start(() -> {
                try {
                    awaitRpc();
                    steps.run();
                } catch (final IOException | RuntimeException e) {
                    if (process.isAlive()) {
                        process.fail("transmission " + process.role() + ": " + e.getMessage());
                    }
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    /** RPC steps that may block. */
    @FunctionalInterface
    private interface Steps {
        void run() throws IOException, InterruptedException;
    }

    /** A prepared recheck: {@link #begin()} starts the verify; everything else is the daemon's process. */
    private static final class Recheck implements BenchPeer {
        private final Daemon d;
        private final Path saveDir;

        Recheck(final Daemon d, final Path saveDir) {
            this.d = d;
            this.saveDir = saveDir;
        }

        @Override
        public void begin() throws IOException {
            final ObjectNode args = JSON.createObjectNode();
            args.put("location", saveDir.toAbsolutePath().toString());
            args.put("move", false);
            d.rpc.call("torrent-set-location", args);
            d.rpc.verify();
            d.drive(() -> d.followUntilComplete(CHECK_POLL_MS));
        }

        @Override
        public String client() {
            return d.process.client();
        }

        @Override
        public String role() {
            return d.process.role();
        }

        @Override
        public long pid() {
            return d.process.pid();
        }

        @Override
        public int awaitListening(final Duration timeout) {
            return d.peerPort;
        }

        @Override
        public long bytesDone() {
            return d.process.bytesDone();
        }

        @Override
        public void poll() {
            d.process.poll();
        }

        @Override
        public boolean awaitComplete(final Duration timeout) throws InterruptedException {
            return d.process.awaitComplete(timeout);
        }

        @Override
        public long completedAtNanos() {
            return d.process.completedAtNanos();
        }

        @Override
        public Optional<String> failure() {
            return d.process.failure();
        }

        @Override
        public Optional<String> lastMetrics() {
            return Optional.empty();
        }

        @Override
        public ProcessUsage usage() {
            return d.process.usage();
        }

        @Override
        public ProcessUsage stop() {
            return d.process.stop();
        }
    }
}
