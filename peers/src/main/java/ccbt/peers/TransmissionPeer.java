package ccbt.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real transmission-daemon (3.00) with one torrent, in its own config directory, peer and RPC sockets on
 * 127.0.0.1 only, DHT, LPD, PEX, uTP, port forwarding and the blocklist off.
 *
 * <p>Transmission never dials peers on 127.x (it only accepts connections), so the other side must dial
 * {@link #peerPort()}. It also drops connections for a torrent that is still being verified: the factory
 * methods return only once the initial check is over. It never creates 0-byte files
 * (compare with {@link TestData#withoutEmptyFiles}).
 */
public final class TransmissionPeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String SESSION_HEADER = "X-Transmission-Session-Id";
    private static final List<String> FIELDS = List.of("id", "status", "percentDone", "leftUntilDone", "haveValid",
        "sizeWhenDone", "uploadedEver", "downloadedEver", "peersConnected", "rateDownload", "rateUpload", "error",
        "errorString", "hashString");
    /** torrent-get "status" values (transmission.h, tr_torrent_activity). */
    private static final int CHECK_WAIT = 1;
    private static final int CHECK = 2;
    private static final int SEED = 6;

    private final PeerProcess process;
    private final int peerPort;
    private final int rpcPort;
    private final Rpc client;
    private volatile JsonNode last = JSON.createObjectNode();

    private TransmissionPeer(final PeerProcess process, final int peerPort, final int rpcPort) {
        this.process = process;
        this.peerPort = peerPort;
        this.rpcPort = rpcPort;
        this.client = new Rpc(rpcPort);
    }

    /** Seeds the content under {@code dir} (transmission verifies it first; returns once it seeds). */
    public static TransmissionPeer seed(final Path torrent, final Path dir) {
        return start(torrent, dir, true, Map.of());
    }

    /** Downloads into {@code dir}; returns once the torrent is started and its initial check is over. */
    public static TransmissionPeer leech(final Path torrent, final Path dir) {
        return start(torrent, dir, false, Map.of());
    }

    /**
     * Starts a daemon with extra {@code settings.json} entries (e.g. {@code "encryption", 0} to prefer plaintext;
     * the default 1 prefers encryption but accepts plaintext handshakes) and adds {@code torrent}.
     */
    public static TransmissionPeer start(final Path torrent, final Path dir, final boolean seed,
                                         final Map<String, Object> extraSettings) {
        RealPeers.require("transmission-daemon");
        final int peerPort = RealPeers.freePort();
        int rpcPort = RealPeers.freePort();
        while (rpcPort == peerPort) {
            rpcPort = RealPeers.freePort();
        }
        final Path work = PeerProcess.newWorkDir(seed ? "transmission-seed" : "transmission-leech");
        final Map<String, Object> s = settings(dir, peerPort, rpcPort);
        s.putAll(extraSettings);
        final PeerProcess p;
        final int rpc = rpcPort;
        try {
            writeSettings(work, s);
            p = PeerProcess.start(seed ? "transmission-seed" : "transmission-leech", command(work),
                work, Map.of(), line -> { }, line -> false, true);
        } catch (IOException e) {
            Dirs.deleteQuietly(work);
            throw new UncheckedIOException("cannot write transmission's settings in " + work, e);
        }
        final TransmissionPeer peer = new TransmissionPeer(p, peerPort, rpc);
        try {
            p.await("transmission RPC on 127.0.0.1:" + rpc, Duration.ofSeconds(20), peer::rpcAnswers);
            final ObjectNode args = JSON.createObjectNode();
            args.put("metainfo", Base64.getEncoder().encodeToString(Files.readAllBytes(torrent)));
            args.put("download-dir", dir.toAbsolutePath().toString());
            args.put("paused", false);
            final JsonNode added = peer.rpc("torrent-add", args);
            if (!added.path("arguments").has("torrent-added")) {
                throw new AssertionError(p.describe("torrent-add of " + torrent + " answered " + added));
            }
            p.await("transmission " + (seed ? "verifying the seed data" : "starting the torrent"),
                Duration.ofSeconds(60), () -> {
                    final JsonNode t = peer.status();
                    final int st = t.path("status").asInt(-1);
                    return seed ? st == SEED && t.path("leftUntilDone").asLong(-1) == 0
                        : st > CHECK;
                }, peer::lastStatus);
            return peer;
        } catch (IOException e) {
            peer.close();
            throw new UncheckedIOException("cannot read " + torrent, e);
        } catch (RuntimeException | Error e) {
            peer.close();
            throw e;
        }
    }

    /**
     * The daemon settings this driver uses: peer and RPC sockets on 127.0.0.1 ({@code peerPort}, {@code rpcPort}, RPC
     * without authentication), DHT, LPD, PEX, uTP, port forwarding, the blocklist, queues, speed and ratio limits off,
     * {@code downloadDir} as download directory. The swarm benchmark starts transmission with these too.
     */
    public static Map<String, Object> settings(final Path downloadDir, final int peerPort, final int rpcPort) {
        final Map<String, Object> s = new LinkedHashMap<>();
        s.put("bind-address-ipv4", "127.0.0.1");
        s.put("bind-address-ipv6", "::1");
        s.put("peer-port", peerPort);
        s.put("peer-port-random-on-start", false);
        s.put("dht-enabled", false);
        s.put("lpd-enabled", false);
        s.put("pex-enabled", false);
        s.put("utp-enabled", false);
        s.put("port-forwarding-enabled", false);
        s.put("blocklist-enabled", false);
        s.put("rpc-enabled", true);
        s.put("rpc-bind-address", "127.0.0.1");
        s.put("rpc-port", rpcPort);
        s.put("rpc-authentication-required", false);
        s.put("rpc-whitelist-enabled", true);
        s.put("rpc-whitelist", "127.0.0.1");
        s.put("rpc-host-whitelist-enabled", false);
        s.put("download-dir", downloadDir.toAbsolutePath().toString());
        s.put("incomplete-dir-enabled", false);
        s.put("watch-dir-enabled", false);
        s.put("start-added-torrents", true);
        s.put("ratio-limit-enabled", false);
        s.put("idle-seeding-limit-enabled", false);
        s.put("speed-limit-up-enabled", false);
        s.put("speed-limit-down-enabled", false);
        s.put("alt-speed-enabled", false);
        s.put("download-queue-enabled", false);
        s.put("seed-queue-enabled", false);
        s.put("queue-stalled-enabled", false);
        s.put("script-torrent-done-enabled", false);
        s.put("rename-partial-files", true);
        s.put("message-level", 2);
        return s;
    }

    /** Writes {@code settings} as {@code settings.json} into the daemon's config directory. */
    public static void writeSettings(final Path configDir, final Map<String, Object> settings) throws IOException {
        Files.writeString(configDir.resolve("settings.json"),
            JSON.writerWithDefaultPrettyPrinter().writeValueAsString(settings));
    }

    /** The daemon's command line: foreground, config in {@code configDir}, info-level log on stderr. */
    public static List<String> command(final Path configDir) {
        final Path daemon = RealPeers.executable("transmission-daemon");
        if (daemon == null) {
            throw new IllegalStateException("no executable 'transmission-daemon' on PATH (install with .ci/install-peers)");
        }
        return List.of(daemon.toString(), "-f", "-g", configDir.toString(), "--log-info");
    }

    /** Its BitTorrent listen port on 127.0.0.1: dial it, transmission will not dial a loopback peer. */
    public int peerPort() {
        return peerPort;
    }

    /** Its RPC port on 127.0.0.1 (no authentication). */
    public int rpcPort() {
        return rpcPort;
    }

    /** Waits until every piece is downloaded and verified (a seeder already is). */
    public void awaitComplete(final Duration timeout) {
        process.await("transmission download complete", timeout, () -> {
            final JsonNode t = status();
            return t.path("leftUntilDone").asLong(-1) == 0 && t.path("percentDone").asDouble() >= 1.0
                && t.path("status").asInt() != CHECK && t.path("status").asInt() != CHECK_WAIT
                && t.path("haveValid").asLong(-1) == t.path("sizeWhenDone").asLong(-2);
        }, this::lastStatus);
    }

    /** Waits until at least {@code count} peers are connected. */
    public void awaitPeers(final int count, final Duration timeout) {
        process.await("transmission connected to " + count + " peer(s)", timeout,
            () -> status().path("peersConnected").asInt() >= count);
    }

    /** Payload bytes uploaded for the torrent ({@code uploadedEver}). */
    public long uploadedBytes() {
        return status().path("uploadedEver").asLong();
    }

    /** Verified bytes ({@code haveValid}). */
    public long verifiedBytes() {
        return status().path("haveValid").asLong();
    }

    /** The torrent's current torrent-get fields (status, percentDone, uploadedEver, peersConnected, error, ...). */
    public JsonNode status() {
        final ObjectNode args = JSON.createObjectNode();
        FIELDS.forEach(args.putArray("fields")::add);
        final JsonNode torrents = rpc("torrent-get", args).path("arguments").path("torrents");
        if (!torrents.isArray() || torrents.isEmpty()) {
            throw new AssertionError(process.describe("transmission has no torrent: " + torrents));
        }
        final JsonNode t = torrents.get(0);
        last = t;
        if (t.path("error").asInt() != 0) {
            // 1-2 are tracker warnings/errors (expected: no tracker here), 3 is a local error worth failing on
            if (t.path("error").asInt() == 3) {
                throw new AssertionError(process.describe("transmission local error: " + t.path("errorString")));
            }
        }
        return t;
    }

    private String lastStatus() {
        return "; last torrent-get: " + last;
    }

    /** The tail of transmission's log, for failure messages. */
    public String logTail() {
        return process.tail();
    }

    private boolean rpcAnswers() {
        try {
            return "success".equals(rpcOnce("session-get", JSON.createObjectNode()).path("result").asText());
        } catch (IOException e) {
            return false;
        }
    }

    /** One RPC call; fails with the log tail on transport errors or a non-success result. */
    JsonNode rpc(final String method, final ObjectNode arguments) {
        try {
            final JsonNode r = rpcOnce(method, arguments);
            if (!"success".equals(r.path("result").asText())) {
                throw new AssertionError(process.describe("RPC " + method + " answered " + r));
            }
            return r;
        } catch (IOException e) {
            throw new AssertionError(process.describe("RPC " + method + " failed: " + e), e);
        }
    }

    private JsonNode rpcOnce(final String method, final ObjectNode arguments) throws IOException {
        return client.raw(method, arguments);
    }

    /**
     * A client of a daemon's RPC on 127.0.0.1 (no authentication; the CSRF session id is fetched on the first 409).
     * Thread-safe.
     */
    public static final class Rpc {
        /** torrent-get "status": stopped (paused). */
        public static final int STOPPED = 0;
        /** torrent-get "status": queued for a check. */
        public static final int CHECK_WAIT = TransmissionPeer.CHECK_WAIT;
        /** torrent-get "status": checking. */
        public static final int CHECK = TransmissionPeer.CHECK;
        /** torrent-get "status": seeding. */
        public static final int SEED = TransmissionPeer.SEED;

        private final int port;
        private volatile String sessionId = "";

        /** A client of the RPC on 127.0.0.1:{@code port}. */
        public Rpc(final int port) {
            this.port = port;
        }

        /** Whether the daemon answers a session-get with success. */
        public boolean answers() {
            try {
                return "success".equals(raw("session-get", JSON.createObjectNode()).path("result").asText());
            } catch (IOException e) {
                return false;
            }
        }

        /** One call; an IOException for transport errors and for a result other than "success". */
        public JsonNode call(final String method, final ObjectNode arguments) throws IOException {
            final JsonNode r = raw(method, arguments);
            if (!"success".equals(r.path("result").asText())) {
                throw new IOException("transmission RPC " + method + " answered " + r);
            }
            return r;
        }

        /** Adds {@code torrent} with its content in {@code dir}, started or paused; fails unless it was added. */
        public void add(final Path torrent, final Path dir, final boolean paused) throws IOException {
            final ObjectNode args = JSON.createObjectNode();
            args.put("metainfo", Base64.getEncoder().encodeToString(Files.readAllBytes(torrent)));
            args.put("download-dir", dir.toAbsolutePath().toString());
            args.put("paused", paused);
            final JsonNode added = call("torrent-add", args);
            if (!added.path("arguments").has("torrent-added")) {
                throw new IOException("torrent-add of " + torrent + " answered " + added);
            }
        }

        /** The torrent-get fields of the daemon's only torrent (status, haveValid, sizeWhenDone, error, ...). */
        public JsonNode torrent() throws IOException {
            final ObjectNode args = JSON.createObjectNode();
            FIELDS.forEach(args.putArray("fields")::add);
            final JsonNode torrents = call("torrent-get", args).path("arguments").path("torrents");
            if (!torrents.isArray() || torrents.isEmpty()) {
                throw new IOException("transmission has no torrent: " + torrents);
            }
            return torrents.get(0);
        }

        /** Asks for a full hash check of every torrent's local data ({@code torrent-verify}). */
        public void verify() throws IOException {
            call("torrent-verify", JSON.createObjectNode());
        }

        /** Whether {@code t} (torrent-get fields) has every piece verified and no check pending. */
        public static boolean complete(final JsonNode t) {
            final int st = t.path("status").asInt(-1);
            return t.path("leftUntilDone").asLong(-1) == 0 && st != CHECK && st != CHECK_WAIT
                && t.path("haveValid").asLong(-1) == t.path("sizeWhenDone").asLong(-2);
        }

        JsonNode raw(final String method, final ObjectNode arguments) throws IOException {
            final ObjectNode body = JSON.createObjectNode();
            body.put("method", method);
            body.set("arguments", arguments);
            final String json = JSON.writeValueAsString(body);
            final URI uri = URI.create("http://127.0.0.1:" + port + "/transmission/rpc");
            for (int attempt = 0; attempt < 2; attempt++) { // 409 hands out the CSRF session id: retry once with it
                final HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
                if (!sessionId.isEmpty()) {
                    rb.header(SESSION_HEADER, sessionId);
                }
                final HttpResponse<String> r;
                try {
                    r = HTTP.send(rb.build(), HttpResponse.BodyHandlers.ofString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                if (r.statusCode() == 409) {
                    sessionId = r.headers().firstValue(SESSION_HEADER).orElse("");
                    continue;
                }
                if (r.statusCode() != 200) {
                    throw new IOException("HTTP " + r.statusCode() + ": " + r.body());
                }
                return JSON.readTree(r.body());
            }
            throw new IOException("HTTP 409 twice: no usable " + SESSION_HEADER);
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
