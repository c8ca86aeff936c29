package ccbt.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real libtorrent (rasterbar 2.0, python binding) peer on 127.0.0.1, driven through
 * {@code peers/lt_peer.py} (a classpath resource). DHT, LSD, UPnP, NAT-PMP, uTP and PEX are off; settings are given at session
 * construction. Closing it kills the process and deletes its work directory (not the data directory).
 */
public final class LibtorrentPeer implements AutoCloseable {
    private static final String SCRIPT = "/peers/lt_peer.py";
    private static volatile Path scriptPath;

    private final PeerProcess process;
    private final String mode;
    private volatile int port = -1;
    private volatile String infoHash;
    private volatile long done;
    private volatile long total = -1;
    private volatile long downloadRate;
    private volatile long uploadRate;
    private volatile int peers;
    private volatile long uploaded;
    private volatile boolean complete;
    private volatile int announces;
    private final List<String> errors = new CopyOnWriteArrayList<>();

    private LibtorrentPeer(final Options o) {
        this.mode = o.mode;
        final Path work = PeerProcess.newWorkDir("libtorrent-" + o.mode);
        final List<String> cmd = new ArrayList<>(List.of(RealPeers.PYTHON, "-u", script().toString(),
            o.source, o.dir.toAbsolutePath().toString(), o.mode,
            "--port", Integer.toString(o.port)));
        for (final String peer : o.peers) {
            cmd.add("--peer");
            cmd.add(peer);
        }
        if (!o.useTrackers) {
            cmd.add("--no-trackers");
        }
        if (o.recheck) {
            cmd.add("--recheck");
        }
        o.settings.forEach((k, v) -> {
            cmd.add("--set");
            cmd.add(k + "=" + v);
        });
        this.process = PeerProcess.start("libtorrent-" + o.mode, cmd, work, Map.of("PYTHONUNBUFFERED", "1"),
            this::parse, line -> line.startsWith("PROGRESS ") || line.startsWith("UPLOADED "));
        try {
            process.await("libtorrent listening on 127.0.0.1", Duration.ofSeconds(20), () -> port > 0);
            process.await("libtorrent adding " + o.source, Duration.ofSeconds(20), () -> infoHash != null);
        } catch (RuntimeException | Error e) {
            process.close();
            throw e;
        }
    }

    /** A seeder of {@code torrent} whose content is already under {@code dir} (trusted, verified lazily). */
    public static LibtorrentPeer seed(final Path torrent, final Path dir) {
        return options(torrent, dir, true).start();
    }

    /** A leecher of {@code torrent} downloading into {@code dir}. */
    public static LibtorrentPeer leech(final Path torrent, final Path dir) {
        return options(torrent, dir, false).start();
    }

    /** Options for peers that need more than the defaults (a fixed port, peers to dial, extra settings). */
    public static Options options(final Path torrent, final Path dir, final boolean seed) {
        return new Options(torrent.toAbsolutePath().toString(), dir, seed ? "seed" : "leech");
    }

    /**
     * Options for a leecher that starts from a magnet URI and fetches the info dictionary from its peers
     * (BEP 9 ut_metadata); give it a peer with {@link Options#peer} or a tracker in the URI.
     */
    public static Options magnetOptions(final String magnetUri, final Path dir) {
        if (!magnetUri.startsWith("magnet:?")) {
            throw new IllegalArgumentException("not a magnet URI: '" + magnetUri + "'");
        }
        return new Options(magnetUri, dir, "leech");
    }

    /** The TCP port it listens on, on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The info-hash libtorrent computed for the torrent, hex. */
    public String infoHashHex() {
        return infoHash;
    }

    /** Dials a peer (retried every second by the script until connected); how ccbt gets a libtorrent leecher. */
    public void connectTo(final String host, final int peerPort) {
        process.send("CONNECT " + host + " " + peerPort);
    }

    /** Forces an announce to every tracker now (libtorrent otherwise waits for the tracker's interval). */
    public void reannounce() {
        process.send("REANNOUNCE");
    }

    /** Waits until every piece is downloaded and verified (for a seeder: until it is ready to seed). */
    public void awaitComplete(final Duration timeout) {
        process.await("libtorrent " + mode + " complete", timeout, () -> complete);
    }

    /** Waits until at least {@code count} tracker replies have arrived in total. */
    public void awaitAnnounced(final int count, final Duration timeout) {
        process.await("libtorrent tracker reply #" + count, timeout, () -> announces >= count);
    }

    /** Waits until at least {@code count} peers are connected. */
    public void awaitPeers(final int count, final Duration timeout) {
        process.await("libtorrent connected to " + count + " peer(s)", timeout, () -> peers >= count);
    }

    /** Payload bytes uploaded by this process so far (reported every 200 ms). */
    public long uploadedBytes() {
        return uploaded;
    }

    /** Wanted bytes downloaded and verified so far. */
    public long doneBytes() {
        return done;
    }

    /** Payload download rate in bytes/s at the last report. */
    public long downloadRate() {
        return downloadRate;
    }

    /** Payload upload rate in bytes/s at the last report. */
    public long uploadRate() {
        return uploadRate;
    }

    /** Connected peers at the last report. */
    public int peerCount() {
        return peers;
    }

    /** ERROR lines the script reported (tracker errors, hash failures, file errors). */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    PeerProcess process() {
        return process;
    }

    /** The tail of the client's output, for failure messages. */
    public String logTail() {
        return process.tail();
    }

    private void parse(final String line) {
        final String[] f = line.split(" ");
        switch (f[0]) {
            case "LISTEN" -> port = Integer.parseInt(f[1]);
            case "ADDED" -> infoHash = f[1];
            case "PROGRESS" -> {
                done = Long.parseLong(f[1]);
                total = Long.parseLong(f[2]);
                downloadRate = Long.parseLong(f[3]);
                uploadRate = Long.parseLong(f[4]);
                peers = Integer.parseInt(f[5]);
            }
            case "UPLOADED" -> uploaded = Long.parseLong(f[1]);
            case "DONE" -> complete = true;
            case "ANNOUNCED" -> announces++;
            case "ERROR" -> errors.add(line);
            default -> {
                // libtorrent's own peer log lines (stderr): kept in the tail only
            }
        }
    }

    @Override
    public void close() {
        process.close();
    }

    /**
     * The driver script on disk: the classpath resource {@code /peers/lt_peer.py} copied once per JVM to a
     * temporary file (deleted on exit), so that it runs the same from a jar and from a build directory.
     */
    public static Path script() {
        Path p = scriptPath;
        if (p != null) {
            return p;
        }
        synchronized (LibtorrentPeer.class) {
            if (scriptPath != null) {
                return scriptPath;
            }
            try (InputStream in = LibtorrentPeer.class.getResourceAsStream(SCRIPT)) {
                if (in == null) {
                    throw new IllegalStateException(SCRIPT + " is not on the classpath");
                }
                p = Files.createTempFile("ccbt-lt_peer", ".py");
                p.toFile().deleteOnExit();
                Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot extract " + SCRIPT, e);
            }
            scriptPath = p;
            return p;
        }
    }

    /** Start options; {@link #start()} launches the peer and waits until it listens. */
    public static final class Options {
        private final String source;
        private final Path dir;
        private final String mode;
        private final List<String> peers = new ArrayList<>();
        private final Map<String, String> settings = new LinkedHashMap<>();
        private int port;
        private boolean useTrackers = true;
        private boolean recheck;

        private Options(final String source, final Path dir, final String mode) {
            this.source = source;
            this.dir = dir;
            this.mode = mode;
        }

        /** Listen port on 127.0.0.1; 0 (the default) lets the kernel pick one. */
        public Options port(final int listenPort) {
            this.port = listenPort;
            return this;
        }

        /** A peer to dial at start (and redial until connected). */
        public Options peer(final String host, final int peerPort) {
            peers.add(host + ":" + peerPort);
            return this;
        }

        /** Whether to announce to the torrent's trackers (default true). */
        public Options trackers(final boolean use) {
            this.useTrackers = use;
            return this;
        }

        /** Seeder: hash-check the data before seeding instead of trusting it (seed_mode). */
        public Options recheck(final boolean check) {
            this.recheck = check;
            return this;
        }

        /**
         * An extra libtorrent setting applied at session construction, e.g.
         * {@code setting("max_allowed_in_request_queue", "2000")} or {@code setting("out_enc_policy", "2")}
         * (2 = plaintext only).
         */
        public Options setting(final String name, final String value) {
            settings.put(name, value);
            return this;
        }

        /** Starts the peer; fails (or skips outside CI) when libtorrent is not installed. */
        public LibtorrentPeer start() {
            RealPeers.require(RealPeers.LIBTORRENT);
            return new LibtorrentPeer(this);
        }
    }
}
