package ccbt.app;

import ccbt.core.DirectBuffers;
import ccbt.core.bencode.BDict;
import ccbt.core.bencode.BList;
import ccbt.core.bencode.BString;
import ccbt.core.bencode.BValue;
import ccbt.core.bencode.Bencode;
import ccbt.core.bencode.BencodeLimits;
import ccbt.core.create.TorrentCreator;
import ccbt.core.metainfo.Metainfo;
import ccbt.xet.XetChunkHasher;
import ccbt.xet.hash.ChunkHashList;

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
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * Writing a .torrent from the command line, with a progress bar while hashing: what {@code ccbt create} and
 * {@code ccbt xet update} share. The torrent is written to a temporary file and renamed into place, so an
 * interrupted run never leaves half a torrent behind.
 */
final class TorrentBuild {
    private final Path source;
    private Integer pieceSize; // null = automatic
    private List<List<String>> tiers = List.of();
    private boolean isPrivate;
    private String comment;
    private boolean xet;
    private BiConsumer<Path, ChunkHashList> xetChunks = (file, chunks) -> { };
    private String name;
    private Path output;

    /** A build of {@code source}, a file or a directory. */
    TorrentBuild(final Path source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** A piece size in bytes (automatic unless set; checked by {@link TorrentCreator#pieceSize(int)}). */
    TorrentBuild pieceSize(final int bytes) {
        this.pieceSize = bytes;
        return this;
    }

    /** Tracker tiers (BEP 12); a tier of several URLs is kept as one tier. */
    TorrentBuild tiers(final List<List<String>> tiers) {
        this.tiers = List.copyOf(tiers);
        return this;
    }

    /** One tier per tracker URL, in order (what {@code --tracker} means). */
    TorrentBuild trackers(final List<String> urls) {
        return tiers(urls.stream().map(List::of).toList());
    }

    TorrentBuild privateFlag(final boolean isPrivate) {
        this.isPrivate = isPrivate;
        return this;
    }

    /** The comment, or null for none. */
    TorrentBuild comment(final String comment) {
        this.comment = comment;
        return this;
    }

    /** Whether to record each file's Xet file hash (a second read of every file). */
    TorrentBuild xet(final boolean xet) {
        this.xet = xet;
        return this;
    }

    /** With {@link #xet(boolean)}: also hands each file's chunk hashes to {@code sink} as they are computed. */
    TorrentBuild xetChunks(final BiConsumer<Path, ChunkHashList> sink) {
        this.xetChunks = Objects.requireNonNull(sink, "sink");
        return this;
    }

    /** The torrent's name instead of the source's file name (null: the source's name). */
    TorrentBuild name(final String name) {
        this.name = name;
        return this;
    }

    /** Where to write the torrent (null: {@code NAME.torrent} in the working directory). */
    TorrentBuild output(final Path output) {
        this.output = output;
        return this;
    }

    /** What a build wrote. */
    record Result(Path file, Metainfo meta, long totalBytes, double seconds) {
    }

    /** Hashes the source, writes the torrent and reports the time on standard error. */
    Result write() throws IOException {
        final long total = sizeOf(source);
        final int piece = pieceSize == null ? TorrentCreator.autoPieceSize(total) : pieceSize;
        final AtomicLong hashed = new AtomicLong();
        final AtomicLong xetHashed = new AtomicLong();
        final long start = System.nanoTime();
        final List<String> flat = tiers.stream().flatMap(List::stream).toList();
        final TorrentCreator creator = new TorrentCreator(source).pieceSize(piece).trackers(flat)
            .privateFlag(isPrivate).progress(hashed::set);
        if (comment != null) {
            creator.comment(comment);
        }
        if (xet) {
            creator.fileExtras(file -> xetExtras(file, xetHashed));
        }
        // With --xet every file is read twice (SHA-1 pieces, then Xet chunks): the bar covers both passes.
        final long work = xet ? 2 * total : total;
        final Thread bar = Thread.ofPlatform().daemon().start(() -> progressBar(() -> hashed.get() + xetHashed.get(), work));
        byte[] torrent;
        try {
            torrent = creator.create();
        } catch (final UncheckedIOException e) {
            throw e.getCause();
        } finally {
            bar.interrupt();
            try {
                bar.join();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        torrent = withNameAndTiers(torrent);
        final Metainfo meta = Metainfo.parse(torrent);
        final Path out = output != null ? output : Path.of(meta.name() + ".torrent");
        final Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Files.write(tmp, torrent);
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        final double seconds = (System.nanoTime() - start) / 1e9;
        System.err.printf("\rhashed %s in %.1f s (%s)%s%n", Units.bytes(total), seconds,
            Units.rate(total / Math.max(seconds, 1e-9)), " ".repeat(30));
        return new Result(out, meta, total, seconds);
    }

    /**
     * The creator names a torrent after its source and puts each tracker in its own tier; a new version of a
     * dataset keeps the old name and tiers, so those two are set afterwards. Neither touches the pieces.
     */
    private byte[] withNameAndTiers(final byte[] torrent) {
        final boolean groupedTiers = tiers.stream().anyMatch(t -> t.size() > 1);
        if (name == null && !groupedTiers) {
            return torrent;
        }
        final BDict root = Bencode.decodeDict(torrent, BencodeLimits.DEFAULT);
        final BDict.Builder out = BDict.builder();
        for (final Map.Entry<BString, BValue> e : root.entries().entrySet()) {
            final String key = e.getKey().utf8();
            if (key.equals("info") && name != null) {
                final BDict.Builder info = BDict.builder();
                ((BDict) e.getValue()).entries().forEach(info::put);
                info.put("name", name);
                out.put(e.getKey(), info.build());
            } else if (!key.equals("announce-list") || !groupedTiers) {
                out.put(e.getKey(), e.getValue());
            }
        }
        if (groupedTiers) {
            final List<BValue> list = new ArrayList<>();
            for (final List<String> tier : tiers) {
                list.add(new BList(tier.stream().<BValue>map(BString::of).toList()));
            }
            out.put("announce-list", new BList(list));
        }
        return Bencode.encode(out.build());
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
    private Map<String, BValue> xetExtras(final Path file, final AtomicLong bytesRead) {
        try {
            final XetChunkHasher hasher = xetChunk(file, bytesRead);
            xetChunks.accept(file, hasher.chunks());
            return Map.of(Metainfo.XET_HASH_KEY, BString.of(hasher.fileHash().bytes()));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Streams {@code file} through the Xet chunker and hasher; adds each read's size to {@code bytesRead}. */
    static XetChunkHasher xetChunk(final Path file, final AtomicLong bytesRead) throws IOException {
        final XetChunkHasher hasher = new XetChunkHasher(null);
        final ByteBuffer buffer = DirectBuffers.cacheAligned(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (ch.read(buffer.clear()) >= 0) {
                bytesRead.addAndGet(buffer.flip().remaining());
                hasher.update(buffer);
            }
        }
        hasher.finish();
        return hasher;
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
