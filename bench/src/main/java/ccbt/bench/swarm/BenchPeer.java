package ccbt.bench.swarm;

import java.time.Duration;
import java.util.Optional;

/**
 * One client process taking part in a benchmark run (a seeder, a leecher or a recheck), whatever the client:
 * the harness starts it through a {@link PeerClient}, samples it by pid and waits for it to finish.
 */
public interface BenchPeer extends AutoCloseable {
    /** The client's name, e.g. {@code ccbt} or {@code libtorrent}. */
    String client();

    /** {@code seeder}, {@code leecher} or {@code recheck}. */
    String role();

    /** The operating-system pid of the client process itself (not of a wrapper), for {@code /proc} sampling. */
    long pid();

    /** Waits until the client listens and returns its port. */
    int awaitListening(Duration timeout) throws InterruptedException;

    /** Payload bytes the client reports as done (downloaded or checked); refreshed by {@link #poll()}. */
    long bytesDone();

    /** Refreshes what the client reports (progress, metrics); called by the sampler every tick. */
    void poll();

    /** Waits until the client reports the torrent complete; false on time-out or if it exited without completing. */
    boolean awaitComplete(Duration timeout) throws InterruptedException;

    /**
     * {@link System#nanoTime()} when the client reported completion, as seen by the thread that read the report (not
     * rounded to the sampler's tick), or -1 if it has not or cannot say.
     */
    default long completedAtNanos() {
        return -1;
    }

    /**
     * {@link System#nanoTime()} when the client said its payload work began (the first byte hashed, for a recheck),
     * as seen by the thread that read it, or -1 if it has not or does not say; the sampler's first progress tick
     * stands in otherwise.
     */
    default long firstByteAtNanos() {
        return -1;
    }

    /**
     * {@link System#nanoTime()} when the client first reported bytes done, taken as its report arrived (an output
     * line, or its metrics as read), or -1 if it has not. Unlike the sampler's tick, this does not depend on how long
     * the sampler's round over every process takes, which differs between clients.
     */
    default long firstProgressAtNanos() {
        return -1;
    }

    /**
     * Starts the timed work of a client that was prepared untimed (see {@link PeerClient#recheck}); a no-op for clients
     * whose work starts with their process.
     */
    default void begin() throws java.io.IOException {
    }

    /** Why the client failed (exit status, error line), if it did. */
    Optional<String> failure();

    /** The last Prometheus text scraped from the client, if it serves metrics. */
    Optional<String> lastMetrics();

    /** CPU seconds and peak RSS now (of the live process) or at its exit. */
    ProcessUsage usage();

    /** Stops the client if it still runs (politely, then forcibly) and returns its final usage. */
    ProcessUsage stop();

    @Override
    default void close() {
        stop();
    }
}
