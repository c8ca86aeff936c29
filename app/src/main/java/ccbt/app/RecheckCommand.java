package ccbt.app;

import ccbt.core.Bitfield;
import ccbt.core.metainfo.Metainfo;
import ccbt.pipeline.session.Engine;
import ccbt.store.FileLayout;
import ccbt.store.Recheck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/** {@code ccbt recheck TORRENT DIR}: hash-checks the content on disk and reports what is complete. */
public final class RecheckCommand implements Callable<Integer> {
    /** The first word of the line printed as hashing begins (the benchmark times the hashing from it). */
    public static final String CHECKING_LINE = "checking";

    static final CommandSpec<RecheckCommand> SPEC = CommandSpec.command("recheck",
            "Hash-check a torrent's content in DIR; exits 0 only if it is complete.", RecheckCommand::new)
        .positional("TORRENT", "", (c, v) -> c.torrent = Path.of(v))
        .positional("DIR", "Directory that holds the torrent's content", (c, v) -> c.dir = Path.of(v))
        .option("--threads", "N", "Hashing threads (default: one per core)", (c, v) -> c.threads = Integer.parseInt(v));

    Path torrent;
    Path dir;
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws Exception {
        final Metainfo meta = Metainfo.parse(Files.readAllBytes(torrent));
        final FileLayout layout = Engine.layoutOf(meta);
        final AtomicLong done = new AtomicLong();
        final long total = layout.totalLength();
        System.out.printf("%s %s: %s in %d pieces, %d hashing threads%n", CHECKING_LINE, meta.name(), Units.bytes(total),
            meta.pieceCount(), Math.max(1, threads));
        System.out.flush();
        final long start = System.nanoTime();
        final Thread ticker = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (true) {
                    Thread.sleep(500);
                    System.err.printf("\rchecking %6.2f%%  %s", total == 0 ? 100.0 : done.get() * 100.0 / total,
                        Units.bytes(done.get()));
                }
            } catch (final InterruptedException e) {
                // finished
            }
        });
        final Bitfield verified = Recheck.check(dir, layout, meta.pieceHashes(), null, Math.max(1, threads),
            done::addAndGet);
        ticker.interrupt();
        ticker.join();
        final double seconds = (System.nanoTime() - start) / 1e9;
        System.err.println();
        System.out.printf("%s: %d of %d pieces verified (%s in %.2f s, %s)%n", meta.name(), verified.cardinality(),
            meta.pieceCount(), Units.bytes(total), seconds, Units.rate(total / Math.max(seconds, 1e-9)));
        if (!verified.isComplete()) {
            final int first = verified.nextClearBit(0);
            System.out.println("incomplete: first missing or corrupt piece is " + first);
            return 1;
        }
        return 0;
    }
}
