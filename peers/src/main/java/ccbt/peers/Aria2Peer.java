package ccbt.peers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real aria2c (1.36) BitTorrent peer on 127.0.0.1, RPC off.
 *
 * <p>aria2 takes no peer address on its command line: it finds peers only through a tracker (HTTP only: with
 * DHT off it has no socket for UDP trackers) or by being dialled on {@link #port()}. So a ccbt seeder reaches
 * an aria2 leecher through {@link OpenTracker#httpAnnounceUrl()}, and a ccbt leecher dials an aria2 seeder.
 * {@code --interface=127.0.0.1} binds its listen socket to loopback only.
 */
public final class Aria2Peer implements AutoCloseable {
    private static final Pattern SUMMARY = Pattern.compile("\\[#\\w+ (SEED\\(|([0-9.]+\\w*)/([0-9.]+\\w*))");
    private static final Pattern SHARE = Pattern.compile("uploaded/downloaded=(\\S+)/(\\S+)");

    private final PeerProcess process;
    private final int port;
    private final boolean seeding;
    private volatile boolean listening;
    private volatile boolean seedingNow;
    private volatile boolean downloadComplete;
    private volatile String lastSummary = "";
    private volatile String share = "";

    private Aria2Peer(final Path torrent, final Path dir, final String trackerUrl, final boolean seed,
                      final List<String> extraArgs) {
        this.seeding = seed;
        this.port = RealPeers.freePort();
        final List<String> cmd = new ArrayList<>(List.of(RealPeers.executable("aria2c").toString(),
            "--no-conf=true",
            "--enable-rpc=false",
            "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
            "--disable-ipv6=true",
            "--interface=127.0.0.1",            // binds the BitTorrent listen socket to loopback
            "--bt-external-ip=127.0.0.1",
            "--listen-port=" + port,
            "--async-dns=false",
            "--enable-color=false", "--summary-interval=1", "--console-log-level=notice",
            "--file-allocation=none", "--auto-file-renaming=false", "--allow-overwrite=true",
            "--bt-save-metadata=false",
            "--stop-with-process=" + ProcessHandle.current().pid(), // no orphan if the JVM dies
            "--dir=" + dir.toAbsolutePath()));
        if (trackerUrl != null) {
            // only the harness's tracker: --bt-tracker URIs survive --bt-exclude-tracker=*
            cmd.add("--bt-exclude-tracker=*");
            cmd.add("--bt-tracker=" + trackerUrl);
        }
        if (seed) {
            cmd.addAll(List.of("--check-integrity=true", "--bt-hash-check-seed=true", "--seed-ratio=0.0"));
        } else {
            cmd.add("--seed-time=0"); // exits (code 0) once the download is complete and verified
        }
        cmd.addAll(extraArgs);
        cmd.add(torrent.toAbsolutePath().toString());
        final Path work = PeerProcess.newWorkDir(seed ? "aria2-seed" : "aria2-leech");
        this.process = PeerProcess.start(seed ? "aria2-seed" : "aria2-leech", cmd, work, Map.of(), this::parse,
            line -> line.startsWith("[#") || line.startsWith("FILE:") || line.startsWith(" *** Download Progress")
                || line.startsWith("====") || line.startsWith("----") || line.isBlank());
        try {
            process.await("aria2 listening on 127.0.0.1:" + port, Duration.ofSeconds(20), () -> listening);
        } catch (RuntimeException | Error e) {
            process.close();
            throw e;
        }
    }

    /** A seeder of the content under {@code dir}, verified first; uses the torrent's own trackers. */
    public static Aria2Peer seed(final Path torrent, final Path dir) {
        return seed(torrent, dir, null);
    }

    /** A seeder announcing only to {@code trackerUrl} (an HTTP tracker; null = the torrent's trackers). */
    public static Aria2Peer seed(final Path torrent, final Path dir, final String trackerUrl) {
        return start(torrent, dir, trackerUrl, true, List.of());
    }

    /** A leecher into {@code dir} that finds peers through {@code trackerUrl} (HTTP; null = the torrent's). */
    public static Aria2Peer leech(final Path torrent, final Path dir, final String trackerUrl) {
        return start(torrent, dir, trackerUrl, false, List.of());
    }

    /**
     * A peer with extra aria2c options appended after the harness's own (later options win), e.g.
     * {@code "--bt-require-crypto=true"} or {@code "--max-upload-limit=1M"}.
     */
    public static Aria2Peer start(final Path torrent, final Path dir, final String trackerUrl, final boolean seed,
                                  final List<String> extraArgs) {
        RealPeers.require("aria2c");
        return new Aria2Peer(torrent, dir, trackerUrl, seed, List.copyOf(extraArgs));
    }

    /** Its BitTorrent listen port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** Seeder: waits until the data is verified and aria2 seeds it. */
    public void awaitSeeding(final Duration timeout) {
        process.await("aria2 seeding", timeout, () -> seedingNow);
    }

    /**
     * Leecher: waits until aria2 reports the download complete and exits with code 0 (it runs with
     * {@code --seed-time=0}). Seeder: the same as {@link #awaitSeeding}.
     */
    public void awaitComplete(final Duration timeout) {
        if (seeding) {
            awaitSeeding(timeout);
            return;
        }
        final long start = System.nanoTime();
        process.await("aria2 download complete", timeout, () -> downloadComplete,
            () -> "; last summary: " + lastSummary);
        final Duration left = timeout.minusNanos(System.nanoTime() - start);
        final int code = process.awaitExit("aria2 exit after download", left.isNegative() ? Duration.ofSeconds(5)
            : left.plusSeconds(5));
        if (code != 0) {
            throw new AssertionError(process.describe("aria2 exited with code " + code + " after the download"));
        }
    }

    /** aria2's own "uploaded/downloaded" summary (human units, e.g. "0B/8.0MiB"), once it has printed one. */
    public String shareSummary() {
        return share;
    }

    /** The tail of aria2's output, for failure messages. */
    public String logTail() {
        return process.tail();
    }

    private void parse(final String line) {
        if (line.contains("BitTorrent: listening on TCP port")) {
            listening = true;
        } else if (line.contains("Download complete:")) {
            downloadComplete = true;
        }
        final Matcher m = SUMMARY.matcher(line);
        if (m.find()) {
            lastSummary = line.trim();
            if (m.group(1).startsWith("SEED(")) {
                seedingNow = true;
            }
        }
        final Matcher s = SHARE.matcher(line);
        if (s.find()) {
            share = s.group(1) + "/" + s.group(2);
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
