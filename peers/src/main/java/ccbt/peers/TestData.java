package ccbt.peers;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The interop tests' content layout (written by {@link SampleDataset}), tree comparisons that name what
 * differs, and torrents made by a real client (libtorrent): interop tests never use ccbt's own torrent
 * creator, which also proves that ccbt reads a foreign client's torrents.
 */
public final class TestData {
    /** SHA-256 of zero bytes; transmission never creates empty files, so comparisons may drop them. */
    public static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /** Relative paths of the files {@link #multiFile} writes, in the order their sizes are assigned. */
    private static final List<String> LAYOUT = List.of(
        "empty.bin",
        "small.txt",
        "big.bin",
        "a/b/nested-1.bin",
        "a/nested-2.bin",
        "c/deep/er/tail.bin");
    private static final int SMALL = 1_000;
    /** Below this the share arithmetic could leave the last file with a negative size. */
    public static final long MIN_TOTAL = 16 * 1024;
    /** Shares (per mille) of what is left after the small file, for big, nested-1, nested-2, tail. */
    private static final int[] SHARES = {470, 250, 180, 100};

    private TestData() {
    }

    /**
     * Writes a multi-file tree of exactly {@code totalBytes} bytes under {@code dir} (created if needed) and
     * returns {@code dir}: an empty file, a file smaller than any piece, nested directories and four larger
     * files whose sizes are not multiples of any piece size. Same arguments, same bytes.
     */
    public static Path multiFile(final Path dir, final long totalBytes, final long seed) {
        if (totalBytes < MIN_TOTAL) {
            throw new IllegalArgumentException("totalBytes=" + totalBytes + " is too small for the layout (min "
                + MIN_TOTAL + ")");
        }
        final long[] sizes = new long[LAYOUT.size()];
        sizes[1] = SMALL;
        long rest = totalBytes - SMALL;
        long assigned = 0;
        for (int i = 0; i < SHARES.length; i++) {
            // odd offsets keep every file boundary away from piece boundaries
            sizes[2 + i] = i == SHARES.length - 1 ? rest - assigned : rest * SHARES[i] / 1000 + 7 * (i + 1);
            assigned += sizes[2 + i];
        }
        final Map<String, Long> layout = new LinkedHashMap<>();
        for (int i = 0; i < LAYOUT.size(); i++) {
            layout.put(LAYOUT.get(i), sizes[i]);
        }
        try {
            SampleDataset.write(dir, layout, seed);
            // SampleDataset writes files only: the tree root exists even if every file were empty
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write test data under " + dir, e);
        }
        return dir;
    }

    /** Writes one file of {@code size} pseudo-random bytes derived from {@code seed} ({@link SampleDataset}). */
    public static void writeRandom(final Path file, final long size, final long seed) {
        try {
            SampleDataset.writeFile(file, size, seed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** SHA-256 (hex) of every regular file under {@code dir}, keyed by its '/'-separated relative path. */
    public static SortedMap<String, String> sha256Tree(final Path dir) {
        try {
            return new TreeMap<>(SampleDataset.sha256Tree(dir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash the tree under " + dir, e);
        }
    }

    /** The same map without empty files (for clients such as transmission that never create them). */
    public static SortedMap<String, String> withoutEmptyFiles(final Map<String, String> tree) {
        final SortedMap<String, String> out = new TreeMap<>(tree);
        out.values().removeIf(EMPTY_SHA256::equals);
        return out;
    }

    /** Asserts that every file under {@code actual} has the same relative path and SHA-256 as under {@code expected}. */
    public static void assertSameTree(final Path expected, final Path actual) {
        assertSame(sha256Tree(expected), sha256Tree(actual), actual);
    }

    /** {@link #assertSameTree} that ignores empty files on both sides (transmission never creates them). */
    public static void assertSameTreeIgnoringEmptyFiles(final Path expected, final Path actual) {
        assertSame(withoutEmptyFiles(sha256Tree(expected)), withoutEmptyFiles(sha256Tree(actual)), actual);
    }

    private static void assertSame(final SortedMap<String, String> want, final SortedMap<String, String> got,
                                   final Path actual) {
        if (want.equals(got)) {
            return;
        }
        final StringBuilder diff = new StringBuilder("content under " + actual + " differs:");
        for (final String path : want.keySet()) {
            if (!got.containsKey(path)) {
                diff.append("\n  missing ").append(path);
            } else if (!got.get(path).equals(want.get(path))) {
                diff.append("\n  wrong content ").append(path).append(" (sha256 ").append(got.get(path))
                    .append(", expected ").append(want.get(path)).append(')');
            }
        }
        for (final String path : got.keySet()) {
            if (!want.containsKey(path)) {
                diff.append("\n  unexpected ").append(path);
            }
        }
        throw new AssertionError(diff.toString());
    }

    /**
     * A v1-only torrent of {@code contentRoot} (a directory: multi-file torrent named after it; a file:
     * single-file torrent), made by libtorrent's python binding. Any piece size that is a multiple of 16 KiB
     * works, powers of two or not (48 KiB, 80 KiB). The announce list gets one tier per tracker.
     */
    public static byte[] makeTorrent(final Path contentRoot, final int pieceSize, final List<String> trackers) {
        return makeTorrent(contentRoot, pieceSize, trackers, Duration.ofSeconds(120));
    }

    /** {@link #makeTorrent(Path, int, List)} that may hash for up to {@code timeout} (large benchmark payloads). */
    public static byte[] makeTorrent(final Path contentRoot, final int pieceSize, final List<String> trackers,
                                     final Duration timeout) {
        RealPeers.require(RealPeers.LIBTORRENT);
        final Path work = PeerProcess.newWorkDir("mktorrent");
        try {
            final Path out = work.resolve("out.torrent");
            final List<String> cmd = new ArrayList<>(List.of(RealPeers.PYTHON, LibtorrentPeer.script().toString(),
                "--make-torrent", contentRoot.toAbsolutePath().toString(), Integer.toString(pieceSize),
                out.toString()));
            cmd.addAll(trackers);
            final Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).start();
            final byte[] log;
            try (InputStream in = p.getInputStream()) {
                log = in.readAllBytes(); // bounded by the script, which prints one line or a traceback
            }
            if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("libtorrent torrent creation of " + contentRoot + " timed out after " + timeout);
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(out)) {
                throw new AssertionError("libtorrent could not make a torrent of " + contentRoot + " with piece size "
                    + pieceSize + " (exit " + p.exitValue() + "):\n" + new String(log, StandardCharsets.UTF_8));
            }
            return Files.readAllBytes(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a torrent of " + contentRoot, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while making a torrent of " + contentRoot, e);
        } finally {
            Dirs.deleteQuietly(work);
        }
    }

    /** {@link #makeTorrent} written to {@code target}; returns {@code target}. */
    public static Path writeTorrent(final Path contentRoot, final int pieceSize, final List<String> trackers,
                                    final Path target) {
        return writeTorrent(contentRoot, pieceSize, trackers, target, Duration.ofSeconds(120));
    }

    /** {@link #writeTorrent(Path, int, List, Path)} that may hash for up to {@code timeout}. */
    public static Path writeTorrent(final Path contentRoot, final int pieceSize, final List<String> trackers,
                                    final Path target, final Duration timeout) {
        final byte[] torrent = makeTorrent(contentRoot, pieceSize, trackers, timeout);
        try {
            final Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.write(tmp, torrent);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
        return target;
    }

    /** The v1 info-hash (SHA-1 of the bencoded info dictionary, BEP 3) of a torrent file's bytes, in hex. */
    public static String infoHashHex(final byte[] torrent) {
        return Metainfo.parse(torrent).infoHashV1().hex();
    }
}
