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
    private static final Pattern CHECKSUM = Pattern.compile("\\[Checksum:#\\w+ ([0-9.]+\\w*)/");
    private static final Pattern UNITS = Pattern.compile("([0-9.]+)(B|KiB|MiB|GiB|TiB|)");
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
        final List<String> cmd = command(torrent, dir, port, trackerUrl, seed ? Mode.SEED : Mode.LEECH, extraArgs);
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

    /** What an aria2c run does with the torrent. */
    public enum Mode {
        /** Checks the content under the directory, then seeds it until stopped. */
        SEED,
        /** Downloads into the directory and exits (code 0) once the download is complete and verified. */
        LEECH,
        /**
         * Checks the complete content under the directory ({@code --check-integrity}) and exits (code 0) right
         * after ({@code --seed-time=0}): a full hash check timed by the process's lifetime.
         */
        RECHECK
    }

    /**
     * The aria2c command line this driver runs: loopback only (listen socket bound to 127.0.0.1 on {@code port}), RPC,
     * DHT, LPD and PEX off, only {@code trackerUrl} as tracker (null = the torrent's own), then {@code extraArgs}
     * (later options win) and the torrent. The swarm benchmark starts aria2 through this too, under its own process
     * sampling, so that both use one set of options.
     */
    public static List<String> command(final Path torrent, final Path dir, final int port, final String trackerUrl,
                                       final Mode mode, final List<String> extraArgs) {
        final Path aria2c = RealPeers.executable("aria2c");
        if (aria2c == null) {
            throw new IllegalStateException("no executable 'aria2c' on PATH (install with .ci/install-peers)");
        }
        final List<String> cmd = new ArrayList<>(List.of(aria2c.toString(),
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
        } else if (mode == Mode.RECHECK) {
            cmd.add("--bt-exclude-tracker=*"); // a check announces nowhere
        }
        switch (mode) {
            case SEED -> cmd.addAll(List.of("--check-integrity=true", "--bt-hash-check-seed=true", "--seed-ratio=0.0"));
            case LEECH -> cmd.add("--seed-time=0"); // exits (code 0) once the download is complete and verified
            case RECHECK -> cmd.addAll(List.of("--check-integrity=true", "--bt-hash-check-seed=true", "--seed-time=0"));
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
        cmd.addAll(extraArgs);
        cmd.add(torrent.toAbsolutePath().toString());
        return cmd;
    }

    /** Whether {@code line} is aria2's own "listening" notice for its BitTorrent socket. */
    public static boolean isListeningLine(final String line) {
        return line.contains("BitTorrent: listening on TCP port");
    }

    /** Whether {@code line} is a summary line of a download that aria2 now seeds (complete and verified). */
    public static boolean isSeedingSummary(final String line) {
        final Matcher m = SUMMARY.matcher(line);
        return m.find() && m.group(1).startsWith("SEED(");
    }

    /**
     * The completed bytes of a summary line such as {@code [#1a2b3c 12MiB/1.0GiB(1%) CN:1 DL:...]}, as aria2 prints
     * them (rounded to its display units), or -1 when the line is no such summary.
     */
    public static long summaryDoneBytes(final String line) {
        final Matcher m = SUMMARY.matcher(line);
        if (!m.find() || m.group(2) == null) {
            return -1;
        }
        return parseUnits(m.group(2));
    }

    /**
     * The checked bytes of a hash-check progress line such as {@code [Checksum:#1a2b3c 50MiB/64MiB(78%)]}, or -1 when
     * the line has none.
     */
    public static long checkedBytes(final String line) {
        final Matcher m = CHECKSUM.matcher(line);
        return m.find() ? parseUnits(m.group(1)) : -1;
    }

    /** Whether {@code line} is aria2's notice that a hash check of the local data passed. */
    public static boolean isVerifiedLine(final String line) {
        return line.contains("Verification finished successfully");
    }

    /** Whether {@code line} is aria2's notice that a download is complete. */
    public static boolean isCompleteLine(final String line) {
        return line.contains("Download complete:");
    }

    /** Parses aria2's human sizes: {@code 0B}, {@code 512KiB}, {@code 12MiB}, {@code 1.0GiB}. */
    static long parseUnits(final String text) {
        final Matcher m = UNITS.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an aria2 size: '" + text + "'");
        }
        final double n = Double.parseDouble(m.group(1));
        final long unit = switch (m.group(2)) {
            case "B", "" -> 1L;
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "TiB" -> 1L << 40;
            default -> throw new IllegalArgumentException("unknown unit in aria2 size '" + text + "'");
        };
        return Math.round(n * unit);
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
        if (isListeningLine(line)) {
            listening = true;
        } else if (isCompleteLine(line)) {
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
