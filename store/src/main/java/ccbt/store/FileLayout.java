package ccbt.store;

import java.util.List;

/**
 * The byte stream of a torrent cut two ways: into files (in metainfo order) and into pieces of a fixed
 * length (the last one shorter). Maps pieces and absolute ranges to file spans without allocating:
 * {@link #forEachSpan} with a reusable {@link SpanVisitor}, or {@link #fileAt} plus a loop over
 * {@link #fileOffset}/{@link #file}. Immutable and thread-safe.
 */
public final class FileLayout {
    private final StoredFile[] files;
    private final long[] offsets;
    private final int pieceLength;
    private final long totalLength;
    private final int pieceCount;

    /** Receives the file spans of a range, in order. */
    @FunctionalInterface
    public interface SpanVisitor {
        /**
         * One span: {@code length} bytes of file {@code fileIndex} at {@code offsetInFile}, which are the
         * bytes at {@code offsetInRange} of the range being visited. Empty files produce no span.
         */
        void span(int fileIndex, long offsetInFile, int length, int offsetInRange);
    }

    public FileLayout(final List<StoredFile> files, final int pieceLength) {
        if (pieceLength <= 0) {
            throw new IllegalArgumentException("piece length " + pieceLength + " must be positive");
        }
        this.files = files.toArray(new StoredFile[0]);
        this.offsets = new long[this.files.length + 1];
        long total = 0;
        for (int i = 0; i < this.files.length; i++) {
            offsets[i] = total;
            total = Math.addExact(total, this.files[i].length());
        }
        offsets[this.files.length] = total;
        final long pieces = (total + pieceLength - 1) / pieceLength;
        if (pieces > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "torrent of " + total + " bytes has too many pieces of " + pieceLength + " bytes");
        }
        this.pieceLength = pieceLength;
        this.totalLength = total;
        this.pieceCount = (int) pieces;
    }

    /** Sum of all file lengths, pad files included. */
    public long totalLength() {
        return totalLength;
    }

    /** The nominal piece length (every piece but the last). */
    public int pieceLength() {
        return pieceLength;
    }

    public int pieceCount() {
        return pieceCount;
    }

    /** Length of {@code piece}: the nominal length, or less for the last piece. */
    public int pieceLength(final int piece) {
        checkPiece(piece);
        if (piece == pieceCount - 1) {
            return (int) (totalLength - (long) piece * pieceLength);
        }
        return pieceLength;
    }

    /** Absolute offset of the first byte of {@code piece}. */
    public long pieceOffset(final int piece) {
        checkPiece(piece);
        return (long) piece * pieceLength;
    }

    /** The piece holding absolute offset {@code absOffset}. */
    public int pieceAt(final long absOffset) {
        checkOffset(absOffset);
        return (int) (absOffset / pieceLength);
    }

    public int fileCount() {
        return files.length;
    }

    public StoredFile file(final int i) {
        return files[i];
    }

    /** Absolute offset of the first byte of file {@code i}. */
    public long fileOffset(final int i) {
        if (i < 0 || i >= files.length) {
            throw new IndexOutOfBoundsException("file " + i + " outside 0.." + (files.length - 1));
        }
        return offsets[i];
    }

    /**
     * The file holding absolute offset {@code absOffset} (never an empty file). Binary search: the last
     * file starting at or before the offset, which is non-empty since a later file would start there too.
     */
    public int fileAt(final long absOffset) {
        checkOffset(absOffset);
        int lo = 0;
        int hi = files.length - 1;
        while (lo < hi) {
            final int mid = (lo + hi + 1) >>> 1;
            if (offsets[mid] <= absOffset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** First piece overlapping file {@code i}, or -1 for an empty file. */
    public int firstPieceOfFile(final int i) {
        return files[i].length() == 0 ? -1 : (int) (fileOffset(i) / pieceLength);
    }

    /** Last piece overlapping file {@code i}, or -1 for an empty file. */
    public int lastPieceOfFile(final int i) {
        return files[i].length() == 0 ? -1 : (int) ((fileOffset(i) + files[i].length() - 1) / pieceLength);
    }

    /** Visits the file spans of {@code piece}. */
    public void forEachSpan(final int piece, final SpanVisitor visitor) {
        forEachSpan(pieceOffset(piece), pieceLength(piece), visitor);
    }

    /** Visits the file spans of the absolute range {@code [absOffset, absOffset + length)}. */
    public void forEachSpan(final long absOffset, final int length, final SpanVisitor visitor) {
        if (length < 0 || absOffset < 0 || absOffset + length > totalLength) {
            throw new IndexOutOfBoundsException(
                    "range " + absOffset + "+" + length + " outside torrent of " + totalLength + " bytes");
        }
        if (length == 0) {
            return;
        }
        int f = fileAt(absOffset);
        long pos = absOffset;
        final long end = absOffset + length;
        while (pos < end) {
            final long fileEnd = offsets[f + 1];
            if (fileEnd > pos) {
                final int n = (int) (Math.min(fileEnd, end) - pos);
                visitor.span(f, pos - offsets[f], n, (int) (pos - absOffset));
                pos += n;
            }
            f++;
        }
    }

    private void checkPiece(final int piece) {
        if (piece < 0 || piece >= pieceCount) {
            throw new IndexOutOfBoundsException("piece " + piece + " outside 0.." + (pieceCount - 1));
        }
    }

    private void checkOffset(final long absOffset) {
        if (absOffset < 0 || absOffset >= totalLength) {
            throw new IndexOutOfBoundsException(
                    "offset " + absOffset + " outside torrent of " + totalLength + " bytes");
        }
    }
}
