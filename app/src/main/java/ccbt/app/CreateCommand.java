package ccbt.app;

import ccbt.core.bencode.BString;
import ccbt.core.bencode.BValue;
import ccbt.core.create.TorrentCreator;
import ccbt.core.metainfo.Metainfo;
import ccbt.xet.XetChunkHasher;
import ccbt.xet.hash.XetHash;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

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

    @Option(names = "--xet", description = "Record each file's Xet file hash in the torrent (a second read of every file; see docs/xet.md)")
    boolean xet;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Output file (default: NAME.torrent)")
    Path output;

    @Override
    public Integer call() throws Exception {
        final long total = sizeOf(source);
        final int piece = pieceSize == null ? TorrentCreator.autoPieceSize(total) : (int) Units.parseSize(pieceSize);
        final AtomicLong hashed = new AtomicLong();
        final AtomicLong xetHashed = new AtomicLong();
        final long start = System.nanoTime();
        final TorrentCreator creator = new TorrentCreator(source).pieceSize(piece).trackers(trackers)
            .privateFlag(privateFlag).progress(hashed::set);
        if (comment != null) {
            creator.comment(comment);
        }
        if (xet) {
            creator.fileExtras(file -> xetExtras(file, xetHashed));
        }
        // With --xet every file is read twice (SHA-1 pieces, then Xet chunks): the bar covers both passes.
        final long work = xet ? 2 * total : total;
        final Thread bar = Thread.ofPlatform().daemon().start(() -> progressBar(() -> hashed.get() + xetHashed.get(), work));
        final byte[] torrent;
        try {
            torrent = creator.create();
        } catch (final UncheckedIOException e) {
            throw e.getCause();
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
        System.out.printf("%s  %s  %d pieces of %s%s%n", out, meta.infoHashV1().hex(), meta.pieceCount(),
            Units.bytes(meta.pieceLength()), xet ? "  with Xet file hashes" : "");
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

    /** The torrent fields of one file under {@code --xet}: its Xet file hash, as 32 raw bytes. */
    private static Map<String, BValue> xetExtras(final Path file, final AtomicLong bytesRead) {
        try {
            return Map.of(Metainfo.XET_HASH_KEY, BString.of(xetFileHash(file, bytesRead).bytes()));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Streams {@code file} through the Xet chunker and hasher; adds each read's size to {@code bytesRead}. */
    static XetHash xetFileHash(final Path file, final AtomicLong bytesRead) throws IOException {
        final XetChunkHasher hasher = new XetChunkHasher(null);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (ch.read(buffer.clear()) >= 0) {
                bytesRead.addAndGet(buffer.flip().remaining());
                hasher.update(buffer);
            }
        }
        hasher.finish();
        return hasher.fileHash();
    }

    private static void progressBar(final LongSupplier hashed, final long total) {
        try {
            while (true) {
                Thread.sleep(250);
                final double f = total == 0 ? 1 : Math.min(1, (double) hashed.getAsLong() / total);
                final int width = 40;
                final int filled = (int) (f * width);
                System.err.printf("\rhashing [%s%s] %5.1f%%", "#".repeat(filled), ".".repeat(width - filled), f * 100);
            }
        } catch (final InterruptedException e) {
            // done
        }
    }
}
