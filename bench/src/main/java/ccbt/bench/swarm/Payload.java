package ccbt.bench.swarm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The benchmark's content: files of pseudo-random bytes generated from a fixed seed (the same bytes on every
 * machine and every run), their SHA-256 digests, and the torrent made of them once. Downloads are verified against
 * the digests, independently of any client's own piece checks.
 *
 * @param saveDir   the directory that holds the content (a seeder's save path)
 * @param name      the torrent's name: the single file, or the directory of the files
 * @param files     the files, relative to {@code saveDir}
 * @param torrent   the .torrent file
 * @param pieceSize piece length in bytes
 */
public record Payload(Path saveDir, String name, List<PayloadFile> files, Path torrent, int pieceSize) {
    /** One file of the payload: path relative to the save directory, length, SHA-256 in hex. */
    public record PayloadFile(String relativePath, long length, String sha256) {
    }

    /** Makes torrents; libtorrent's maker is used so that the torrent does not depend on the code under test. */
    @FunctionalInterface
    public interface TorrentMaker {
        /** Writes a v1 torrent of {@code contentRoot} (a file or directory) with {@code pieceSize} to {@code out}. */
        void make(Path contentRoot, int pieceSize, Path out) throws IOException;
    }

    private static final int CHUNK = 4 << 20;

    /** Total content length in bytes. */
    public long totalBytes() {
        return files.stream().mapToLong(PayloadFile::length).sum();
    }

    /**
     * Generates {@code totalBytes} in {@code fileCount} files under {@code dir/seed} from {@code seed} and makes the
     * torrent {@code dir/payload.torrent}.
     */
    public static Payload generate(final Path dir, final long totalBytes, final int fileCount, final int pieceSize,
                                   final long seed, final TorrentMaker maker) throws IOException {
        if (fileCount < 1 || totalBytes < fileCount) {
            throw new IllegalArgumentException("cannot split " + totalBytes + " bytes into " + fileCount + " files");
        }
        final Path saveDir = dir.resolve("seed");
        final String name = fileCount == 1 ? "payload.bin" : "payload";
        final List<PayloadFile> files = new ArrayList<>();
        final long each = totalBytes / fileCount;
        for (int i = 0; i < fileCount; i++) {
            final long length = i == fileCount - 1 ? totalBytes - each * (fileCount - 1) : each;
            final String relative = fileCount == 1 ? name : name + "/" + String.format("file-%03d.bin", i);
            final Path file = saveDir.resolve(relative);
            Files.createDirectories(file.getParent());
            files.add(new PayloadFile(relative, length, write(file, length, seed * 31 + i)));
        }
        final Path torrent = dir.resolve("payload.torrent");
        maker.make(saveDir.resolve(name), pieceSize, torrent);
        return new Payload(saveDir, name, List.copyOf(files), torrent, pieceSize);
    }

    private static String write(final Path file, final long length, final long seed) throws IOException {
        final MessageDigest sha = sha256();
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] chunk = new byte[CHUNK];
        final ByteBuffer buffer = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            long left = length;
            while (left > 0) {
                buffer.clear();
                while (buffer.remaining() >= Long.BYTES) {
                    buffer.putLong(random.nextLong());
                }
                final int n = (int) Math.min(left, CHUNK);
                sha.update(chunk, 0, n);
                buffer.clear().limit(n);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                left -= n;
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Checks every file under {@code saveDir} against its SHA-256; empty when all match, else what is wrong. */
    public Optional<String> verify(final Path saveDir) throws IOException {
        final byte[] chunk = new byte[CHUNK];
        for (final PayloadFile f : files) {
            final Path file = saveDir.resolve(f.relativePath());
            if (!Files.isRegularFile(file)) {
                return Optional.of("missing " + file);
            }
            final long size = Files.size(file);
            if (size != f.length()) {
                return Optional.of(file + " has " + size + " bytes, expected " + f.length());
            }
            final MessageDigest sha = sha256();
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                final ByteBuffer buffer = ByteBuffer.wrap(chunk);
                while (true) {
                    buffer.clear();
                    final int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    sha.update(chunk, 0, n);
                }
            }
            final String actual = HexFormat.of().formatHex(sha.digest());
            if (!actual.equals(f.sha256())) {
                return Optional.of(file + " has SHA-256 " + actual + ", expected " + f.sha256());
            }
        }
        return Optional.empty();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
