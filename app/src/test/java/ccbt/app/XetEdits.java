package ccbt.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.stream.Stream;

/** Edits that turn one version of a test dataset into the next, for the {@code ccbt xet update} tests. */
final class XetEdits {
    private XetEdits() {
    }

    /** Copies the tree under {@code from} to {@code to} (created). */
    static void copyTree(final Path from, final Path to) {
        try (Stream<Path> walk = Files.walk(from)) {
            for (final Path p : (Iterable<Path>) walk::iterator) {
                final Path dst = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(p, dst);
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
        }
    }

    /** {@code length} pseudo-random bytes from {@code seed}. */
    static byte[] bytes(final int length, final long seed) {
        final byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Overwrites {@code data.length} bytes of {@code file} at {@code offset} (inside the file). */
    static void overwrite(final Path file, final long offset, final byte[] data) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            if (offset + data.length > ch.size()) {
                throw new IllegalArgumentException("overwrite [" + offset + ", " + (offset + data.length)
                    + ") runs past the end of " + file + " (" + ch.size() + " bytes)");
            }
            final ByteBuffer buf = ByteBuffer.wrap(data);
            long pos = offset;
            while (buf.hasRemaining()) {
                pos += ch.write(buf, pos);
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Inserts {@code data} into {@code file} before byte {@code offset}: everything after moves along. */
    static void insert(final Path file, final long offset, final byte[] data) {
        final Path tmp = file.resolveSibling(file.getFileName() + ".insert");
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long done = 0;
            while (done < offset) {
                done += in.transferTo(done, offset - done, out);
            }
            final ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            final long size = in.size();
            while (done < size) {
                done += in.transferTo(done, size - done, out);
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot insert into " + file, e);
        }
        try {
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot replace " + file, e);
        }
    }
}
