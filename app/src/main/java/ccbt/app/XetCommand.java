package ccbt.app;

import ccbt.pipeline.xet.XetStores;
import ccbt.store.dedup.ChunkIndex;
import ccbt.xet.XetChunkHasher;
import ccbt.xet.XetFileReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ccbt xet ...}: the Xet content-defined chunking of files. */
@Command(name = "xet", description = "Xet content-defined chunks and hashes.",
    subcommands = {XetCommand.Chunk.class, XetCommand.Hash.class, XetCommand.Status.class, XetCommand.Cleanup.class})
final class XetCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** Every chunk of a file, then its file and xorb hashes, in the xet-core oracle's JSON-lines format. */
    @Command(name = "chunk", description = "Print every chunk (offset, length, hash) and the file and xorb hashes as JSON lines.")
    static final class Chunk implements Callable<Integer> {
        @Parameters(paramLabel = "FILE")
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
    @Command(name = "hash", description = "Print the Xet file hash of FILE.")
    static final class Hash implements Callable<Integer> {
        @Parameters(paramLabel = "FILE")
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

    /** Where the engine keeps the dedup index: the default state directory, or --state-dir. */
    static Path indexDir(final Path stateDir) {
        final Path state = stateDir != null ? stateDir
            : Path.of(System.getProperty("user.home"), ".local", "state", "ccbt");
        return state.resolve("xet");
    }

    /** What the dedup index holds. */
    @Command(name = "status", description = "Show the chunk-dedup index: chunks, the bytes they stand for, references.")
    static final class Status implements Callable<Integer> {
        @picocli.CommandLine.Option(names = "--state-dir", description = "State directory (default: ~/.local/state/ccbt)")
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

    /** Drops chunks nobody has used for a while. */
    @Command(name = "cleanup", description = "Remove index entries of chunks not accessed for N days.")
    static final class Cleanup implements Callable<Integer> {
        @picocli.CommandLine.Option(names = "--max-age-days", required = true, paramLabel = "N")
        int maxAgeDays;

        @picocli.CommandLine.Option(names = "--state-dir", description = "State directory (default: ~/.local/state/ccbt)")
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
