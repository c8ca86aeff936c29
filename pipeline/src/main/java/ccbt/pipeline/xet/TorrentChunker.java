package ccbt.pipeline.xet;

import ccbt.core.DirectBuffers;
import ccbt.store.FileLayout;
import ccbt.store.PieceStore;
import ccbt.xet.XetChunkHasher;
import ccbt.xet.format.ChunkList;
import ccbt.xet.hash.XetHash;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The Xet chunking of one torrent's files while it downloads. Chunk boundaries are per file and continue
 * across pieces in file order, but pieces arrive in any order: each file keeps a frontier (the length of
 * its prefix already chunked). A verified piece that continues a frontier is chunked straight from its
 * staging memory; one that lands ahead of a frontier is left for later and, once the gap closes, read back
 * from disk (only after the disk-write stage has reported it written). {@link #finish()} catches up
 * whatever is left once every piece is on disk.
 *
 * <p>Confined to the Xet-chunk stage's thread, except {@link #pieceWritten}, which the disk-write stage
 * calls.
 */
public final class TorrentChunker {
    /** Where chunks and finished files are reported. */
    public interface Sink {
        /** One chunk of file {@code file}, at {@code offset} in that file. */
        void chunk(int file, long offset, int length, XetHash hash);

        /** Every byte of {@code file} is chunked: its Xet file hash. */
        void fileDone(int file, XetHash fileHash, int chunks);
    }

    private static final int READ_BUFFER = 1 << 20;

    private final FileLayout layout;
    private final PieceStore store;
    private final Sink sink;
    private final long[] frontier;
    private final XetChunkHasher[] hashers;
    private final boolean[] done;
    private final AtomicLongArray written;
    private ByteBuffer readBuffer;
    private int filesLeft;

    public TorrentChunker(final FileLayout layout, final PieceStore store, final Sink sink) {
        this.layout = layout;
        this.store = store;
        this.sink = sink;
        final int files = layout.fileCount();
        this.frontier = new long[files];
        this.hashers = new XetChunkHasher[files];
        this.done = new boolean[files];
        this.written = new AtomicLongArray((layout.pieceCount() + 63) >>> 6);
        for (int f = 0; f < files; f++) {
            if (layout.file(f).padFile()) {
                done[f] = true;
                continue;
            }
            final int file = f;
            hashers[f] = new XetChunkHasher((offset, length, hash) -> sink.chunk(file, offset, length, hash));
            filesLeft++;
            if (layout.file(f).length() == 0) {
                complete(f);
            }
        }
    }

    /** Files not yet completely chunked. */
    public int filesLeft() {
        return filesLeft;
    }

    /** Marks a piece as on disk (called by the disk-write stage, any thread). */
    public void pieceWritten(final int piece) {
        final int word = piece >>> 6;
        final long bit = 1L << (piece & 63);
        long old;
        do {
            old = written.get(word);
        } while ((old & bit) == 0 && !written.compareAndSet(word, old, old | bit));
    }

    private boolean isWritten(final int piece) {
        return (written.get(piece >>> 6) & (1L << (piece & 63))) != 0;
    }

    /** A verified piece, still in staging memory ({@code data}: position 0, limit = piece length). */
    public void pieceVerified(final int piece, final ByteBuffer data) {
        layout.forEachSpan(piece, (file, offsetInFile, length, offsetInRange) -> {
            if (done[file] || frontier[file] != offsetInFile) {
                return;
            }
            hashers[file].update(data.slice(offsetInRange, length));
            frontier[file] += length;
            catchUp(file);
        });
    }

    /**
     * Takes {@code list} as file {@code file}'s chunks instead of reading the file back: for a file a Xet fetch filled
     * entirely from that list, verified against the file's Xet hash, each chunk against its own hash and each piece
     * against its SHA-1. Ignored once any of the file has been chunked here. Same thread as {@link #finish()}.
     */
    public void adopt(final int file, final ChunkList list) {
        if (done[file] || frontier[file] != 0 || list.fileLength() != layout.file(file).length()) {
            return;
        }
        long offset = 0;
        for (int i = 0; i < list.size(); i++) {
            sink.chunk(file, offset, list.length(i), list.hash(i));
            offset += list.length(i);
        }
        frontier[file] = offset;
        done(file, list.fileHash(), list.size());
    }

    /** Chunks everything still missing from disk; call once every piece has been written. */
    public void finish() {
        for (int f = 0; f < frontier.length; f++) {
            if (!done[f]) {
                catchUp(f);
            }
        }
    }

    /** Reads on from a file's frontier while the pieces there are on disk. */
    private void catchUp(final int file) {
        final long fileLength = layout.file(file).length();
        final long fileStart = layout.fileOffset(file);
        while (frontier[file] < fileLength) {
            final long abs = fileStart + frontier[file];
            final int piece = layout.pieceAt(abs);
            if (!isWritten(piece)) {
                return;
            }
            final long pieceEnd = layout.pieceOffset(piece) + layout.pieceLength(piece);
            final long end = Math.min(pieceEnd, fileStart + fileLength);
            if (readBuffer == null) {
                readBuffer = DirectBuffers.cacheAligned(READ_BUFFER);
            }
            long at = abs;
            while (at < end) {
                readBuffer.clear().limit((int) Math.min(READ_BUFFER, end - at));
                final long n = store.read(at, readBuffer);
                if (n <= 0) {
                    throw new IllegalStateException("file " + layout.file(file).relativePath()
                        + " is shorter than its verified pieces at offset " + (at - fileStart));
                }
                readBuffer.flip();
                hashers[file].update(readBuffer);
                at += n;
            }
            frontier[file] = end - fileStart;
        }
        complete(file);
    }

    private void complete(final int file) {
        if (done[file]) {
            return;
        }
        final XetChunkHasher hasher = hashers[file];
        hasher.finish();
        done(file, hasher.fileHash(), hasher.chunks().size());
    }

    /** File {@code file} is chunked, by reading it or from its list: reported once. */
    private void done(final int file, final XetHash fileHash, final int chunks) {
        done[file] = true;
        filesLeft--;
        hashers[file] = null;
        sink.fileDone(file, fileHash, chunks);
    }
}
