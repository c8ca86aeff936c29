package ccbt.xet;

import ccbt.xet.hash.XetHash;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prints a file's Xet chunking in the format of the xet-core oracle ({@code shared/xet-oracle/oracle.mjs}),
 * so that the two outputs can be compared byte for byte: one line per chunk
 * {@code {"offset":O,"length":L,"hash":"H"}}, then
 * {@code {"file_hash":"F","xorb_hash":"X","chunks":N,"bytes":B}}. The file is streamed in 1 MiB reads.
 */
public final class XetFileReport {
    private static final int READ_SIZE = 1 << 20;

    private XetFileReport() {
    }

    /** Streams {@code file} and prints its report to {@code out}. */
    public static void print(Path file, PrintStream out) {
        final StringBuilder line = new StringBuilder(128);
        final XetChunkHasher chunker = new XetChunkHasher((offset, length, hash) -> {
            line.setLength(0);
            line.append("{\"offset\":").append(offset).append(",\"length\":").append(length)
                    .append(",\"hash\":\"").append(hash.hex()).append("\"}");
            out.println(line);
        });
        final byte[] buffer = new byte[READ_SIZE];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                chunker.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        chunker.finish();
        final XetHash fileHash = chunker.fileHash();
        final XetHash xorbHash = chunker.xorbHash();
        out.println("{\"file_hash\":\"" + fileHash.hex() + "\",\"xorb_hash\":\"" + xorbHash.hex()
                + "\",\"chunks\":" + chunker.chunks().size() + ",\"bytes\":" + chunker.chunks().totalLength() + "}");
    }

    /** {@code java ccbt.xet.XetFileReport FILE}: prints the report to standard output. */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: XetFileReport FILE");
            System.exit(2);
        }
        final PrintStream out = new PrintStream(new java.io.BufferedOutputStream(System.out, 1 << 16), false);
        print(Path.of(args[0]), out);
        out.flush();
    }
}
