package ccbt.app;

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
    subcommands = {XetCommand.Chunk.class, XetCommand.Hash.class})
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
}
