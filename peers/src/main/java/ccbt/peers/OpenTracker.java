package ccbt.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A real opentracker (HTTP and UDP) on 127.0.0.1. The Debian build is whitelist-only: a torrent is tracked
 * only after {@link #allow(String)} (or when passed to {@link #start(String...)}); other announces get
 * "Requested download is not authorized". Runs chrooted in its own temp dir, as {@code nobody} when root.
 */
public final class OpenTracker implements AutoCloseable {
    private static final String WHITELIST = "whitelist.txt";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final PeerProcess process;
    private final int port;
    private final Set<String> allowed = new LinkedHashSet<>();

    private OpenTracker(final PeerProcess process, final int port, final Set<String> allowed) {
        this.process = process;
        this.port = port;
        this.allowed.addAll(allowed);
    }

    /** Starts a tracker on a free 127.0.0.1 port (same number for TCP and UDP) that tracks these info-hashes. */
    public static OpenTracker start(final String... infoHashHex) {
        RealPeers.require("opentracker");
        final Set<String> hashes = new LinkedHashSet<>();
        for (final String h : infoHashHex) {
            hashes.add(checkHash(h));
        }
        AssertionError last = null;
        for (int attempt = 0; attempt < 3; attempt++) { // the free port may be taken before opentracker binds it
            final int port = RealPeers.freePort();
            final Path work = PeerProcess.newWorkDir("opentracker");
            final PeerProcess p;
            try {
                // opentracker drops root to 'nobody' and chroots here, then reads the whitelist: world-readable
                Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
                writeWhitelist(work, hashes);
                final List<String> cmd = new ArrayList<>(List.of(RealPeers.executable("opentracker").toString(),
                    "-i", "127.0.0.1", "-p", Integer.toString(port), "-P", Integer.toString(port),
                    "-d", work.toString(), "-w", WHITELIST));
                if ("root".equals(System.getProperty("user.name"))) {
                    cmd.addAll(List.of("-u", "nobody"));
                }
                p = PeerProcess.start("opentracker", cmd, work, Map.of(), line -> { }, line -> false, true);
            } catch (IOException e) {
                Dirs.deleteQuietly(work);
                throw new UncheckedIOException("cannot prepare opentracker's directory " + work, e);
            }
            final OpenTracker tracker = new OpenTracker(p, port, hashes);
            try {
                p.await("opentracker accepting on 127.0.0.1:" + port, Duration.ofSeconds(10), () -> canConnect(port));
                // opentracker loads its whitelist in a background thread: wait until it has
                for (final String h : hashes) {
                    p.await("opentracker loading its whitelist (" + h + ")", Duration.ofSeconds(10),
                        () -> !tracker.announceRefused(h));
                }
                return tracker;
            } catch (AssertionError e) {
                last = e;
                tracker.close();
            }
        }
        throw last;
    }

    /** The HTTP announce URL ({@code http://127.0.0.1:<port>/announce}). */
    public String httpAnnounceUrl() {
        return "http://127.0.0.1:" + port + "/announce";
    }

    /** The UDP announce URL (BEP 15) on the same port number. */
    public String udpAnnounceUrl() {
        return "udp://127.0.0.1:" + port + "/announce";
    }

    /** Its TCP and UDP port. */
    public int port() {
        return port;
    }

    /**
     * Tracks one more torrent: rewrites the whitelist, makes opentracker reload it (SIGHUP) and waits until an
     * HTTP announce for it is no longer refused.
     */
    public void allow(final String infoHashHex) {
        synchronized (allowed) {
            if (!allowed.add(checkHash(infoHashHex))) {
                return;
            }
            try {
                writeWhitelist(process.workDir(), allowed);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot rewrite opentracker's whitelist", e);
            }
        }
        process.signal("HUP");
        process.await("opentracker accepting announces for " + infoHashHex, Duration.ofSeconds(10),
            () -> !announceRefused(infoHashHex));
    }

    /**
     * Tells whether the tracker refuses announces for {@code infoHashHex}. opentracker checks its whitelist only
     * for announces that add a peer, so this sends a "started" announce for a made-up peer (port 1,
     * numwant=0) and takes it back at once with "stopped".
     */
    boolean announceRefused(final String infoHashHex) {
        final byte[] hash = HexFormat.of().parseHex(infoHashHex);
        final StringBuilder q = new StringBuilder();
        for (final byte b : hash) {
            q.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
        }
        final String base = httpAnnounceUrl() + "?info_hash=" + q
            + "&peer_id=-HARNESS-01234567890&port=1&uploaded=0&downloaded=0&left=0&compact=1&numwant=0&event=";
        final boolean refused = announce(base + "started").contains("failure reason");
        if (!refused) {
            announce(base + "stopped");
        }
        return refused;
    }

    private String announce(final String url) {
        try {
            final HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofByteArray());
            final String body = new String(r.body(), StandardCharsets.ISO_8859_1);
            if (r.statusCode() != 200) {
                throw new AssertionError(process.describe("probe announce " + url + " got HTTP " + r.statusCode()
                    + ": " + body));
            }
            return body;
        } catch (IOException e) {
            return "failure reason: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "failure reason: interrupted";
        }
    }

    PeerProcess process() {
        return process;
    }

    /** The tail of the tracker's output, for failure messages. */
    public String logTail() {
        return process.tail();
    }

    @Override
    public void close() {
        process.close();
    }

    private static String checkHash(final String hex) {
        if (hex == null || !hex.matches("[0-9a-fA-F]{40}")) {
            throw new IllegalArgumentException("not a 40-hex-digit v1 info-hash: '" + hex + "'");
        }
        return hex.toLowerCase(Locale.ROOT);
    }

    private static void writeWhitelist(final Path dir, final Set<String> hashes) throws IOException {
        final Path tmp = dir.resolve(WHITELIST + ".tmp");
        Files.writeString(tmp, hashes.isEmpty() ? "" : String.join("\n", hashes) + "\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, dir.resolve(WHITELIST), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean canConnect(final int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
