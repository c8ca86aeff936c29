package ccbt.core.sample;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Deterministic synthetic content for the demo, the benchmarks and the tests: the same layout and seed
 * always give the same bytes, so two runs (or two machines) can compare SHA-256 trees.
 */
public final class SampleDataset {
    private static final int BUFFER = 1 << 20;

    private SampleDataset() {
    }

    /**
     * The layout used by the demo and the benchmarks: under {@code name/}, an empty file, a file smaller
     * than any piece, nested directories, and the rest of {@code totalBytes} split over {@code bigFiles}
     * files of slightly different sizes (so that file ends fall inside pieces).
     */
    public static Map<String, Long> standardLayout(final String name, final long totalBytes, final int bigFiles) {
        if (bigFiles < 1) {
            throw new IllegalArgumentException("need at least one large file, got " + bigFiles);
        }
        final Map<String, Long> files = new LinkedHashMap<>();
        files.put(name + "/README.txt", 1_337L);
        files.put(name + "/empty.dat", 0L);
        final long rest = Math.max(0, totalBytes - 1_337L);
        long left = rest;
        for (int i = 0; i < bigFiles; i++) {
            final long size = i == bigFiles - 1 ? left : rest / bigFiles + 4099L * (i % 3) - 4099L;
            final long clamped = Math.max(0, Math.min(left, size));
            files.put(name + "/" + (i % 2 == 0 ? "data/" : "data/nested/") + "part-" + i + ".bin", clamped);
            left -= clamped;
        }
        return files;
    }

    /** Writes every file of {@code layout} (relative path → length) under {@code root}. */
    public static void write(final Path root, final Map<String, Long> layout, final long seed) throws IOException {
        long state = mix(seed);
        for (final Map.Entry<String, Long> f : layout.entrySet()) {
            state = fill(root.resolve(f.getKey()), f.getValue(), state);
        }
    }

    /** Writes one file of {@code length} pseudo-random bytes derived from {@code seed}. */
    public static void writeFile(final Path file, final long length, final long seed) throws IOException {
        fill(file, length, mix(seed));
    }

    private static long fill(final Path file, final long length, final long startState) throws IOException {
        long state = startState;
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            long left = length;
            while (left > 0) {
                buf.clear();
                final int n = (int) Math.min(BUFFER, (left + 7) & ~7L);
                for (int i = 0; i < n; i += 8) {
                    // xorshift64: fast, and good enough that compression and dedup find nothing to share
                    state ^= state << 13;
                    state ^= state >>> 7;
                    state ^= state << 17;
                    buf.putLong(state);
                }
                buf.flip().limit((int) Math.min(n, left));
                left -= buf.remaining();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        }
        return state;
    }

    private static long mix(final long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return z == 0 ? 1 : z;
    }

    /** SHA-256 (hex) of every regular file under {@code root}, keyed by relative path with '/' separators. */
    public static Map<String, String> sha256Tree(final Path root) throws IOException {
        final Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (final Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p).toString().replace('\\', '/'), sha256(p));
            }
        }
        return out;
    }

    /** SHA-256 (hex) of one file. */
    public static String sha256(final Path file) throws IOException {
        final MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            final byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
