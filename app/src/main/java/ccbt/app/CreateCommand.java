package ccbt.app;

import ccbt.core.create.TorrentCreator;
import ccbt.core.metainfo.Metainfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/** {@code ccbt create PATH}: makes a v1 .torrent of a file or directory, with a progress bar while hashing. */
@Command(name = "create", description = "Create a .torrent for a file or directory.")
final class CreateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "File or directory to share")
    Path source;

    @Option(names = "--piece-size", paramLabel = "SIZE", description = "Piece size, a multiple of 16KiB (default: automatic)")
    String pieceSize;

    @Option(names = "--tracker", paramLabel = "URL", description = "Announce URL (repeatable; each its own tier)")
    List<String> trackers = new ArrayList<>();

    @Option(names = "--private", description = "Mark the torrent private (BEP 27)")
    boolean privateFlag;

    @Option(names = "--comment", description = "Comment stored in the torrent")
    String comment;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Output file (default: NAME.torrent)")
    Path output;

    @Override
    public Integer call() throws Exception {
        final long total = sizeOf(source);
        final int piece = pieceSize == null ? TorrentCreator.autoPieceSize(total) : (int) Units.parseSize(pieceSize);
        final AtomicLong hashed = new AtomicLong();
        final long start = System.nanoTime();
        final TorrentCreator creator = new TorrentCreator(source).pieceSize(piece).trackers(trackers)
            .privateFlag(privateFlag).progress(hashed::set);
        if (comment != null) {
            creator.comment(comment);
        }
        final Thread bar = Thread.ofPlatform().daemon().start(() -> progressBar(hashed, total));
        final byte[] torrent;
        try {
            torrent = creator.create();
        } finally {
            bar.interrupt();
            bar.join();
        }
        final Metainfo meta = Metainfo.parse(torrent);
        final Path out = output != null ? output : Path.of(meta.name() + ".torrent");
        final Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Files.write(tmp, torrent);
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        final double seconds = (System.nanoTime() - start) / 1e9;
        System.err.printf("\rhashed %s in %.1f s (%s)%s%n", Units.bytes(total), seconds,
            Units.rate(total / Math.max(seconds, 1e-9)), " ".repeat(30));
        System.out.printf("%s  %s  %d pieces of %s%n", out, meta.infoHashV1().hex(), meta.pieceCount(),
            Units.bytes(meta.pieceLength()));
        return 0;
    }

    /** Creates a torrent in memory without output, for the demo and benchmarks. */
    static Metainfo createQuietly(final Path source, final int pieceSize, final List<String> trackers,
                                  final boolean isPrivate) throws IOException {
        return new TorrentCreator(source).pieceSize(pieceSize).trackers(trackers).privateFlag(isPrivate)
            .createMetainfo();
    }

    private static long sizeOf(final Path source) throws IOException {
        if (Files.isRegularFile(source)) {
            return Files.size(source);
        }
        if (!Files.isDirectory(source)) {
            throw new IllegalArgumentException("no such file or directory: " + source);
        }
        try (var walk = Files.walk(source)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void progressBar(final AtomicLong hashed, final long total) {
        try {
            while (true) {
                Thread.sleep(250);
                final double f = total == 0 ? 1 : Math.min(1, (double) hashed.get() / total);
                final int width = 40;
                final int filled = (int) (f * width);
                System.err.printf("\rhashing [%s%s] %5.1f%%", "#".repeat(filled), ".".repeat(width - filled), f * 100);
            }
        } catch (final InterruptedException e) {
            // done
        }
    }
}
