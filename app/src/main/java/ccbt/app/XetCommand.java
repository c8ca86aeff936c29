package ccbt.app;

import ccbt.core.metainfo.FileEntry;
import ccbt.core.metainfo.Metainfo;
import ccbt.pipeline.xet.XetStores;
import ccbt.store.dedup.ChunkIndex;
import ccbt.xet.XetChunkHasher;
import ccbt.xet.XetFileReport;
import ccbt.xet.hash.XetHash;
import ccbt.xet.hash.XetMerkle;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/** {@code ccbt xet ...}: the Xet content-defined chunking of files. */
final class XetCommand {
    private static final String STATE_DIR = "State directory (default: ~/.local/state/ccbt)";

    private XetCommand() {
    }

    /** {@code ccbt xet} and its subcommands. */
    static final CommandSpec<?> SPEC = CommandSpec.group("xet", "Xet content-defined chunks and hashes.")
        .subcommand(Chunk.SPEC).subcommand(Hash.SPEC).subcommand(Update.SPEC).subcommand(Status.SPEC)
        .subcommand(Stats.SPEC).subcommand(Cleanup.SPEC);

    /** Every chunk of a file, then its file and xorb hashes, in the xet-core oracle's JSON-lines format. */
    static final class Chunk implements Callable<Integer> {
        static final CommandSpec<Chunk> SPEC = CommandSpec.command("chunk",
                "Print every chunk (offset, length, hash) and the file and xorb hashes as JSON lines.", Chunk::new)
            .positional("FILE", "", (c, v) -> c.file = Path.of(v));

        Path file;

        @Override
        public Integer call() {
            final PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false);
            XetFileReport.print(file, out);
            out.flush();
            return 0;
        }
    }

    /** The Xet file hash of a file. */
    static final class Hash implements Callable<Integer> {
        static final CommandSpec<Hash> SPEC = CommandSpec.command("hash", "Print the Xet file hash of FILE.", Hash::new)
            .positional("FILE", "", (c, v) -> c.file = Path.of(v));

        Path file;

        @Override
        public Integer call() throws Exception {
            final XetChunkHasher hasher = new XetChunkHasher((offset, length, hash) -> { });
            final byte[] buffer = new byte[1 << 20];
            try (InputStream in = Files.newInputStream(file)) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    hasher.update(buffer, 0, n);
                }
            }
            hasher.finish();
            System.out.println(hasher.fileHash().hex() + "  " + file);
            return 0;
        }
    }

    /**
     * The next version of a dataset: a torrent of NEW_DIR with Xet file hashes that keeps what identifies the
     * dataset in OLD (name, piece size, trackers, private flag, comment), and what changed, counted in chunks.
     */
    static final class Update implements Callable<Integer> {
        static final CommandSpec<Update> SPEC = CommandSpec.command("update", "Make the next version of a dataset: a "
                + "torrent of NEW_DIR with Xet file hashes, keeping OLD's name, piece size, trackers, private flag and "
                + "comment, and print what changed per file (Xet chunks shared with the old data vs new).", Update::new)
            .positional("OLD.torrent", "The torrent of the previous version", (c, v) -> c.oldTorrent = Path.of(v))
            .positional("NEW_DIR", "The new version's data", (c, v) -> c.newDir = Path.of(v))
            .requiredOption("-o, --output", "NEW.torrent", "The new version's torrent", (c, v) -> c.output = Path.of(v))
            .option("--old-data", "DIR",
                "The previous version's data (default: NEW_DIR's sibling named as OLD's torrent name)",
                (c, v) -> c.oldData = Path.of(v))
            .flag("--json", "Print the changes as one JSON object (notes go to standard error)", c -> c.json = true);

        Path oldTorrent;
        Path newDir;
        Path output;
        Path oldData;
        boolean json;

        @Override
        public Integer call() throws Exception {
            final Metainfo old;
            try {
                old = Metainfo.parse(Files.readAllBytes(oldTorrent));
            } catch (final NoSuchFileException e) {
                throw new IllegalArgumentException("no such torrent: " + oldTorrent);
            } catch (final RuntimeException e) {
                throw new IllegalArgumentException(oldTorrent + ": " + e.getMessage(), e);
            }
            final boolean oldMulti = old.info().containsKey("files");
            if (!Files.exists(newDir)) {
                throw new IllegalArgumentException("no such file or directory: " + newDir);
            }
            if (oldMulti != Files.isDirectory(newDir)) {
                throw new IllegalArgumentException(oldTorrent + " is a " + (oldMulti ? "multi-file" : "single-file")
                    + " torrent but " + newDir + " is " + (oldMulti ? "not a directory" : "a directory"));
            }
            final Path oldRoot = oldDataRoot(old);

            final Path newRoot = newDir.toAbsolutePath().normalize();
            final XetDiff.Version next = XetDiff.newVersion();
            final TorrentBuild.Result r = new TorrentBuild(newDir).pieceSize(old.pieceLength()).tiers(old.announceTiers())
                .privateFlag(old.isPrivate()).comment(old.comment()).name(old.name()).xet(true).output(output)
                .xetChunks((file, chunks) -> {
                    final String path = displayPath(old.name(), newRoot, file.toAbsolutePath().normalize());
                    next.chunks().put(path, chunks);
                    next.lengths().put(path, chunks.totalLength());
                    next.fileHashes().put(path, XetMerkle.fileHash(chunks));
                })
                .write();
            final PrintStream notes = json ? System.err : System.out;
            notes.printf("%s  %s  %d pieces of %s  with Xet file hashes%n", r.file(), r.meta().infoHashV1().hex(),
                r.meta().pieceCount(), Units.bytes(r.meta().pieceLength()));
            if (!old.name().equals(newRoot.getFileName().toString())) {
                notes.printf("named '%s' like %s: seed it from a directory of that name%n", old.name(), oldTorrent);
            }

            final XetDiff.Version prev = XetDiff.newVersion();
            for (final FileEntry f : old.files()) {
                if (!f.padFile()) {
                    prev.lengths().put(f.relativePath(), f.length());
                    prev.fileHashes().put(f.relativePath(), f.hasXetHash() ? XetHash.of(f.xetHash()) : null);
                }
            }
            final boolean chunked = oldRoot != null;
            if (chunked) {
                chunkOldData(old, oldRoot, prev, notes);
                notes.printf("changes from %s (old data in %s):%n", oldTorrent, oldRoot);
            } else {
                notes.printf("changes from %s by file hash only: old data not found at %s (give it with --old-data DIR);"
                    + " only the torrent was written%n", oldTorrent, defaultOldData(old));
            }
            final XetDiff.Summary summary = XetDiff.compare(prev, next, chunked);
            if (json) {
                final Map<String, String> head = new LinkedHashMap<>();
                head.put("torrent", r.file().toString());
                head.put("infoHash", r.meta().infoHashV1().hex());
                head.put("oldData", chunked ? oldRoot.toString() : null);
                XetDiff.printJson(summary, head, System.out);
            } else {
                XetDiff.print(summary, System.out);
            }
            return 0;
        }

        /** The directory (or file) holding OLD's data, or null when the default place does not have it. */
        private Path oldDataRoot(final Metainfo old) {
            if (oldData != null) {
                if (!Files.exists(oldData)) {
                    throw new IllegalArgumentException("--old-data " + oldData + " does not exist");
                }
                return oldData.toAbsolutePath().normalize();
            }
            final Path guess = defaultOldData(old);
            // NEW_DIR named like the old version is not the old data, however it is found
            return Files.exists(guess) && !guess.equals(newDir.toAbsolutePath().normalize()) ? guess : null;
        }

        private Path defaultOldData(final Metainfo old) {
            return newDir.toAbsolutePath().normalize().resolveSibling(old.name());
        }

        /**
         * Chunks every file of OLD found under {@code root}; a file whose Xet hash in OLD differs from its data
         * is compared as found, with a warning, and a missing one is left out of the comparison.
         */
        private void chunkOldData(final Metainfo old, final Path root, final XetDiff.Version prev, final PrintStream notes)
            throws IOException {
            final boolean multi = old.info().containsKey("files");
            for (final FileEntry f : old.files()) {
                if (f.padFile()) {
                    continue;
                }
                Path file = root;
                if (multi) {
                    for (final String c : f.path().subList(1, f.path().size())) {
                        file = file.resolve(c);
                    }
                }
                if (!Files.isRegularFile(file)) {
                    notes.printf("old data lacks %s (no file %s): not compared%n", f.relativePath(), file);
                    continue;
                }
                final XetChunkHasher hasher = TorrentBuild.xetChunk(file, new AtomicLong());
                final XetHash found = hasher.fileHash();
                if (f.hasXetHash() && !found.equals(XetHash.of(f.xetHash()))) {
                    notes.printf("old data of %s does not match %s (Xet hash %s, the torrent says %s): "
                        + "compared as found%n", f.relativePath(), oldTorrent, found.hex(), XetHash.of(f.xetHash()).hex());
                }
                prev.chunks().put(f.relativePath(), hasher.chunks());
                prev.fileHashes().put(f.relativePath(), found);
            }
        }

        /** A file's path as torrents show it: {@code name/dir/file}, or {@code name} for a single file. */
        private static String displayPath(final String name, final Path root, final Path file) {
            if (file.equals(root)) {
                return name;
            }
            final StringBuilder sb = new StringBuilder(name);
            for (final Path c : root.relativize(file)) {
                sb.append('/').append(c);
            }
            return sb.toString();
        }
    }

    /** Where the engine keeps the dedup index: the default state directory, or --state-dir. */
    static Path indexDir(final Path stateDir) {
        final Path state = stateDir != null ? stateDir
            : Path.of(System.getProperty("user.home"), ".local", "state", "ccbt");
        return state.resolve("xet");
    }

    /** What the dedup index holds. */
    static final class Status implements Callable<Integer> {
        static final CommandSpec<Status> SPEC = CommandSpec.command("status",
                "Show the chunk-dedup index: chunks, the bytes they stand for, references.", Status::new)
            .option("--state-dir", "DIR", STATE_DIR, (c, v) -> c.stateDir = Path.of(v));

        Path stateDir;

        @Override
        public Integer call() {
            final Path dir = indexDir(stateDir);
            final Path file = dir.resolve("chunks.cmap");
            if (!Files.exists(file)) {
                System.out.println("no Xet index yet at " + file);
                return 0;
            }
            try (ChunkIndex index = ChunkIndex.open(file, 1)) {
                final ChunkIndex.Stats s = index.stats();
                System.out.printf("index:      %s%s%n", file, index.recovered() ? " (recovered after an unclean stop)" : "");
                System.out.printf("chunks:     %d%n", s.chunks());
                System.out.printf("bytes:      %s (%d)%n", Units.bytes(s.bytes()), s.bytes());
                System.out.printf("references: %d (%.2f per chunk)%n", s.references(),
                    s.chunks() == 0 ? 0.0 : (double) s.references() / s.chunks());
                System.out.printf("stores:     %d files of torrents%n", XetStores.open(dir.resolve("stores.tsv")).size());
            }
            return 0;
        }
    }

    /** How much the dedup index saves: unique against referenced bytes. */
    static final class Stats implements Callable<Integer> {
        static final CommandSpec<Stats> SPEC = CommandSpec.command("stats", "Show what the chunk-dedup index saves: "
                + "chunks, unique bytes (each chunk once), referenced bytes (each chunk once per reference), the dedup "
                + "ratio, bytes saved, the index file's size and the stores.", Stats::new)
            .option("--state-dir", "DIR", STATE_DIR, (c, v) -> c.stateDir = Path.of(v))
            .flag("--json", "Print one JSON object, sizes in bytes", c -> c.json = true);

        Path stateDir;
        boolean json;

        @Override
        public Integer call() throws IOException {
            final Path dir = indexDir(stateDir);
            final Path file = dir.resolve("chunks.cmap");
            final boolean exists = Files.exists(file);
            ChunkIndex.Stats s = new ChunkIndex.Stats(0, 0, 0, 0);
            boolean recovered = false;
            if (exists) {
                try (ChunkIndex index = ChunkIndex.open(file, 1)) {
                    s = index.stats();
                    recovered = index.recovered();
                }
            }
            final long fileBytes = exists ? Files.size(file) : 0;
            final int stores = XetStores.open(dir.resolve("stores.tsv")).size();
            final long saved = s.referencedBytes() - s.bytes();
            final Double ratio = s.bytes() == 0 ? null : (double) s.referencedBytes() / s.bytes();
            if (json) {
                final StringBuilder sb = new StringBuilder("{\"index\":");
                XetDiff.jsonString(sb, file.toString());
                sb.append(",\"exists\":").append(exists)
                    .append(",\"recovered\":").append(recovered)
                    .append(",\"indexFileBytes\":").append(fileBytes)
                    .append(",\"chunks\":").append(s.chunks())
                    .append(",\"uniqueBytes\":").append(s.bytes())
                    .append(",\"references\":").append(s.references())
                    .append(",\"referencedBytes\":").append(s.referencedBytes())
                    .append(",\"dedupRatio\":")
                    .append(ratio == null ? "null" : String.format(Locale.ROOT, "%.4f", ratio))
                    .append(",\"savedBytes\":").append(saved)
                    .append(",\"stores\":").append(stores).append('}');
                System.out.println(sb);
                return 0;
            }
            if (!exists) {
                System.out.println("no Xet index yet at " + file);
                return 0;
            }
            System.out.printf("index:       %s, %s%s%n", file, Units.bytes(fileBytes),
                recovered ? " (recovered after an unclean stop)" : "");
            System.out.printf("chunks:      %d%n", s.chunks());
            System.out.printf("unique:      %s (%d bytes, each chunk once)%n", Units.bytes(s.bytes()), s.bytes());
            System.out.printf("referenced:  %s (%d bytes in %d references)%n", Units.bytes(s.referencedBytes()),
                s.referencedBytes(), s.references());
            System.out.printf("dedup ratio: %s%n",
                ratio == null ? "n/a (no chunks)" : String.format(Locale.ROOT, "%.2f", ratio));
            System.out.printf("saved:       %s (%d bytes)%n", Units.bytes(saved), saved);
            System.out.printf("stores:      %d files of torrents%n", stores);
            return 0;
        }
    }

    /** Drops chunks nobody has used for a while. */
    static final class Cleanup implements Callable<Integer> {
        static final CommandSpec<Cleanup> SPEC = CommandSpec.command("cleanup",
                "Remove index entries of chunks not accessed for N days.", Cleanup::new)
            .requiredOption("--max-age-days", "N", "Days since a chunk was last used", (c, v) -> c.maxAgeDays = Integer.parseInt(v))
            .option("--state-dir", "DIR", STATE_DIR, (c, v) -> c.stateDir = Path.of(v));

        int maxAgeDays;
        Path stateDir;

        @Override
        public Integer call() {
            if (maxAgeDays < 0) {
                throw new IllegalArgumentException("--max-age-days must not be negative: " + maxAgeDays);
            }
            final Path file = indexDir(stateDir).resolve("chunks.cmap");
            if (!Files.exists(file)) {
                System.out.println("no Xet index yet at " + file);
                return 0;
            }
            final long cutoff = System.currentTimeMillis() - java.util.concurrent.TimeUnit.DAYS.toMillis(maxAgeDays);
            try (ChunkIndex index = ChunkIndex.open(file, 1)) {
                final long removed = index.removeAccessedBefore(cutoff);
                System.out.printf("removed %d chunks not accessed for %d days; %d left%n", removed, maxAgeDays,
                    index.size());
            }
            return 0;
        }
    }
}
