package ccbt.app;

import ccbt.pipeline.session.TorrentStats;

import java.io.PrintStream;

/** The live progress line: percent, rate, ETA and peers; redrawn in place on a terminal. */
final class Progress {
    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private long lastPrintNanos;

    Progress(final PrintStream out) {
        this.out = out;
    }

    /** Draws the line; off a terminal, prints a new line at most every {@code 5 s}. */
    void show(final TorrentStats s, final boolean force) {
        final long now = System.nanoTime();
        if (!terminal && !force && now - lastPrintNanos < 5_000_000_000L) {
            return;
        }
        lastPrintNanos = now;
        final long left = s.totalBytes() - s.verifiedBytes();
        final long eta = s.downloadRate() > 1 ? (long) (left / s.downloadRate()) : (left == 0 ? 0 : -1);
        final String line = String.format("%-10s %6.2f%%  %s / %s  down %s  up %s  ETA %s  peers %d",
            s.state().name().toLowerCase(java.util.Locale.ROOT), s.progress() * 100, Units.bytes(s.verifiedBytes()),
            Units.bytes(s.totalBytes()), Units.rate(s.downloadRate()), Units.rate(s.uploadRate()),
            Units.duration(eta), s.peers());
        if (terminal) {
            out.print("\r" + line + "   ");
        } else {
            out.println(line);
        }
        out.flush();
    }

    void end() {
        if (terminal) {
            out.println();
        }
    }
}
