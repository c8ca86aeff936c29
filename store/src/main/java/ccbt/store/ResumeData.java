package ccbt.store;

import ccbt.core.Bitfield;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * What survives a restart of one torrent: the verified-piece bitfield, plus each file's size and mtime
 * when it was saved, so that on start only pieces of files changed since then are rechecked.
 *
 * <p>File format (big-endian), version 1:
 * <pre>
 *   magic        8 bytes  "CCBTRESM"
 *   version      int      1
 *   hash length  int      20 (v1 info-hash) or 32 (v2)
 *   info-hash    bytes
 *   piece length int, total length long, piece count int     (the layout saved against)
 *   bitfield     int byte count, then the BEP 3 wire bytes
 *   file count   int
 *   per file     long expected length, long size on disk, long mtime in ns   (-1, -1 for pad or missing files)
 *   crc32        int      over every byte before it
 * </pre>
 * Saving writes a temporary file in the same directory, fsyncs it, renames it over the old one
 * atomically and fsyncs the directory: a crash leaves the old file or the new one, never a mix.
 *
 * <p>Corrupt files: {@link #load} logs a warning naming the file and the fault and returns null, so
 * the caller falls back to a full recheck and the download goes on; {@link #read} throws instead.
 */
public final class ResumeData {
    static final byte[] MAGIC = {'C', 'C', 'B', 'T', 'R', 'E', 'S', 'M'};
    static final int VERSION = 1;
    private static final long MISSING = -1;
    /** Upper bound on the file count accepted from a resume file, so a corrupt count cannot exhaust memory. */
    private static final int MAX_FILES = 10_000_000;
    private static final System.Logger LOG = System.getLogger(ResumeData.class.getName());

    private final byte[] infoHash;
    private final Bitfield verified;
    private final int pieceLength;
    private final long totalLength;
    private final long[] expectedLengths;
    private final long[] sizes;
    private final long[] mtimes;

    private ResumeData(final byte[] infoHash, final Bitfield verified, final int pieceLength, final long totalLength,
                       final long[] expectedLengths, final long[] sizes, final long[] mtimes) {
        this.infoHash = infoHash;
        this.verified = verified;
        this.pieceLength = pieceLength;
        this.totalLength = totalLength;
        this.expectedLengths = expectedLengths;
        this.sizes = sizes;
        this.mtimes = mtimes;
    }

    /**
     * Captures the resume state now: {@code verified} (copied) and the size and mtime of every file of
     * {@code layout} under {@code root}. Call after {@link PieceStore#force()}, once the writes the
     * bitfield counts are on disk, or the files will look changed at the next start.
     */
    public static ResumeData of(final byte[] infoHash, final Bitfield verified, final int pieceCount,
                                final FileLayout layout, final Path root) {
        if (infoHash.length != 20 && infoHash.length != 32) {
            throw new IllegalArgumentException("info-hash of " + infoHash.length + " bytes, expected 20 or 32");
        }
        if (verified.size() != pieceCount || pieceCount != layout.pieceCount()) {
            throw new IllegalArgumentException("bitfield of " + verified.size() + " pieces, piece count "
                    + pieceCount + ", layout of " + layout.pieceCount() + " pieces: they must agree");
        }
        final Path[] paths = PieceStore.resolveAll(root.toAbsolutePath().normalize(), layout);
        final int n = layout.fileCount();
        final long[] expected = new long[n];
        final long[] sizes = new long[n];
        final long[] mtimes = new long[n];
        for (int i = 0; i < n; i++) {
            expected[i] = layout.file(i).length();
            final long[] st = stat(paths[i]);
            sizes[i] = st[0];
            mtimes[i] = st[1];
        }
        return new ResumeData(infoHash.clone(), verified.copy(), layout.pieceLength(), layout.totalLength(),
                expected, sizes, mtimes);
    }

    /** {size, mtime ns} of a file, or {-1, -1} if it is missing or a pad file (null path). */
    private static long[] stat(final Path p) {
        if (p == null) {
            return new long[] {MISSING, MISSING};
        }
        try {
            final BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return new long[] {a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS)};
        } catch (final NoSuchFileException e) {
            return new long[] {MISSING, MISSING};
        } catch (final IOException e) {
            throw StoreException.io("cannot stat", p, e);
        }
    }

    /** The resume data in {@code file}, or null if it is absent or corrupt (corruption logged as a warning). */
    public static ResumeData load(final Path file) {
        try {
            return read(file);
        } catch (final StoreException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; all pieces will be rechecked");
            return null;
        }
    }

    /**
     * The resume data in {@code file}, or null if it is absent.
     *
     * @throws StoreException naming the file and the fault if it is unreadable or corrupt
     */
    public static ResumeData read(final Path file) {
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (final NoSuchFileException e) {
            return null;
        } catch (final IOException e) {
            throw StoreException.io("cannot read resume file", file, e);
        }
        try {
            return decode(bytes);
        } catch (final IOException | IllegalArgumentException e) {
            throw new StoreException("corrupt resume file " + file + ": " + e.getMessage(), file, e);
        }
    }

    private static ResumeData decode(final byte[] bytes) throws IOException {
        if (bytes.length < MAGIC.length + 8 || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException("not a ccbt resume file (bad magic)");
        }
        final CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        final int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        if ((int) crc.getValue() != stored) {
            throw new IOException("checksum mismatch (truncated or damaged)");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes, 0, bytes.length - 4))) {
            in.skipNBytes(MAGIC.length);
            final int version = in.readInt();
            if (version != VERSION) {
                throw new IOException("unsupported version " + version);
            }
            final int hashLength = in.readInt();
            if (hashLength != 20 && hashLength != 32) {
                throw new IOException("info-hash length " + hashLength);
            }
            final byte[] infoHash = readExactly(in, hashLength);
            final int pieceLength = in.readInt();
            final long totalLength = in.readLong();
            final int pieceCount = in.readInt();
            if (pieceLength <= 0 || totalLength < 0 || pieceCount < 0
                    || pieceCount != (totalLength + pieceLength - 1) / pieceLength) {
                throw new IOException("inconsistent layout: " + pieceCount + " pieces of " + pieceLength
                        + " bytes for " + totalLength + " bytes");
            }
            final int bitfieldLength = in.readInt();
            if (bitfieldLength != Bitfield.byteLength(pieceCount) || bitfieldLength > in.available()) {
                throw new IOException("bitfield of " + bitfieldLength + " bytes for " + pieceCount + " pieces");
            }
            final Bitfield verified = Bitfield.fromWire(readExactly(in, bitfieldLength), pieceCount);
            final int files = in.readInt();
            if (files < 0 || files > MAX_FILES || files > in.available() / 24) {
                throw new IOException("file count " + files);
            }
            final long[] expected = new long[files];
            final long[] sizes = new long[files];
            final long[] mtimes = new long[files];
            for (int i = 0; i < files; i++) {
                expected[i] = in.readLong();
                sizes[i] = in.readLong();
                mtimes[i] = in.readLong();
            }
            if (in.available() != 0) {
                throw new IOException(in.available() + " trailing bytes");
            }
            return new ResumeData(infoHash, verified, pieceLength, totalLength, expected, sizes, mtimes);
        } catch (final EOFException e) {
            throw new IOException("ends early", e);
        }
    }

    private static byte[] readExactly(final DataInputStream in, final int n) throws IOException {
        final byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** Writes this resume data to {@code file} atomically and durably (see the class comment). */
    public void save(final Path file) {
        final byte[] bytes = encode();
        final Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                final ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (final AtomicMoveNotSupportedException e) {
                throw new IOException("filesystem cannot rename atomically", e);
            }
            tmp = null;
            // The rename itself is only durable once the directory entry is.
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (final IOException ignored) {
                // Some filesystems refuse to open directories; the rename is still atomic there.
            }
        } catch (final IOException e) {
            throw StoreException.io("cannot save resume file", file, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (final IOException ignored) {
                    // Best effort: a leftover .tmp is harmless and never read.
                }
            }
        }
    }

    byte[] encode() {
        final ByteArrayOutputStream bos = new ByteArrayOutputStream(64 + verified.size() / 8 + 24 * sizes.length);
        try (DataOutputStream out = new DataOutputStream(bos)) {
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(infoHash.length);
            out.write(infoHash);
            out.writeInt(pieceLength);
            out.writeLong(totalLength);
            out.writeInt(verified.size());
            final byte[] bits = verified.toBytes();
            out.writeInt(bits.length);
            out.write(bits);
            out.writeInt(sizes.length);
            for (int i = 0; i < sizes.length; i++) {
                out.writeLong(expectedLengths[i]);
                out.writeLong(sizes[i]);
                out.writeLong(mtimes[i]);
            }
            final CRC32 crc = new CRC32();
            crc.update(bos.toByteArray());
            out.writeInt((int) crc.getValue());
        } catch (final IOException e) {
            throw new IllegalStateException("in-memory write failed", e);
        }
        return bos.toByteArray();
    }

    /** The info-hash saved (a copy): callers check that it is their torrent's. */
    public byte[] infoHash() {
        return infoHash.clone();
    }

    /** The verified pieces when saved (a copy). Trust only those outside {@link #piecesToRecheck}. */
    public Bitfield bitfield() {
        return verified.copy();
    }

    /** True if this was saved against the same layout: piece length, total, file count and every file length. */
    public boolean matches(final FileLayout layout) {
        if (layout.pieceLength() != pieceLength || layout.totalLength() != totalLength
                || layout.pieceCount() != verified.size() || layout.fileCount() != expectedLengths.length) {
            return false;
        }
        for (int i = 0; i < expectedLengths.length; i++) {
            if (layout.file(i).length() != expectedLengths[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Pieces that must be rechecked before being trusted: every piece touching a file whose size or mtime
     * differs from when this was saved (missing files included), whether or not it was verified then —
     * a changed file may also hold pieces written after the save. All pieces if the layout differs.
     * Pieces outside the result keep their {@link #bitfield()} state.
     */
    public Bitfield piecesToRecheck(final FileLayout layout, final Path root) {
        final Bitfield out = new Bitfield(layout.pieceCount());
        if (!matches(layout)) {
            out.setAll();
            return out;
        }
        final Path[] paths = PieceStore.resolveAll(root.toAbsolutePath().normalize(), layout);
        for (int i = 0; i < paths.length; i++) {
            if (paths[i] == null || layout.file(i).length() == 0) {
                continue;
            }
            final long[] st = stat(paths[i]);
            if (st[0] != sizes[i] || st[1] != mtimes[i]) {
                for (int p = layout.firstPieceOfFile(i); p <= layout.lastPieceOfFile(i); p++) {
                    out.set(p);
                }
            }
        }
        return out;
    }

    /** {@link #bitfield()} minus {@link #piecesToRecheck}: the pieces that need no recheck. */
    public Bitfield trustedPieces(final FileLayout layout, final Path root) {
        final Bitfield recheck = piecesToRecheck(layout, root);
        final Bitfield trusted = new Bitfield(layout.pieceCount());
        if (!matches(layout)) {
            return trusted;
        }
        for (int p = verified.nextSetBit(0); p >= 0; p = verified.nextSetBit(p + 1)) {
            if (!recheck.get(p)) {
                trusted.set(p);
            }
        }
        return trusted;
    }
}
