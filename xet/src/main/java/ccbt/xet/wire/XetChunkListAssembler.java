package ccbt.xet.wire;

import ccbt.xet.format.ChunkList;
import ccbt.xet.format.XetFormatException;
import ccbt.xet.hash.XetHash;
import java.util.Objects;

/**
 * Collects the fragments of one file's chunk list from one peer (CHUNK_LIST_RESPONSE messages, requested in
 * order from offset 0 at {@link #nextOffset()}) and hands out the list only once it is complete, parses, and
 * hashes to the file's Xet hash from the torrent. A list longer than the file could need is refused from the
 * first fragment, before its buffer is allocated. After any error the assembler is spent: nothing it
 * collected is used, and a new one (for another peer) starts over.
 */
public final class XetChunkListAssembler {
    private final int fileIndex;
    private final XetHash fileHash;
    private final long fileLength;
    private final long maxListLength;
    private byte[] list;
    private int received;
    private boolean failed;
    private ChunkList result;

    /**
     * For file {@code fileIndex} of the torrent, whose Xet hash is {@code fileHash} and length
     * {@code fileLength} (both from the torrent's info dictionary).
     */
    public XetChunkListAssembler(final int fileIndex, final XetHash fileHash, final long fileLength) {
        if (fileIndex < 0) {
            throw new IllegalArgumentException("file index must not be negative: " + fileIndex);
        }
        this.fileIndex = fileIndex;
        this.fileHash = Objects.requireNonNull(fileHash, "fileHash");
        this.fileLength = fileLength;
        this.maxListLength = Math.min(XetWireDescriptor.maxChunkListLength(fileLength), XetWireDescriptor.MAX_LIST_LENGTH);
    }

    /** The file this list is for. */
    public int fileIndex() {
        return fileIndex;
    }

    /** The list offset to put in the next CHUNK_LIST_REQUEST. */
    public int nextOffset() {
        return received;
    }

    /** Whether the list is complete and verified ({@link #chunkList()} returns it). */
    public boolean isComplete() {
        return result != null;
    }

    /** The verified list, or null until it is complete. */
    public ChunkList chunkList() {
        return result;
    }

    /**
     * Adds a decoded CHUNK_LIST_RESPONSE (already matched to our request for this file).
     *
     * @return the verified chunk list once the last fragment is in, null while more are needed
     * @throws XetWireException if the response is for another file, out of order, inconsistent with earlier
     *     fragments, longer than the file can need, or the complete list does not parse or does not hash to
     *     the file hash; the assembler is then spent
     */
    public ChunkList accept(final XetMessageDecoder response) {
        if (response.type() != XetWireDescriptor.CHUNK_LIST_RESPONSE) {
            throw new IllegalArgumentException("not a CHUNK_LIST_RESPONSE: " + response);
        }
        if (failed || result != null) {
            throw new IllegalStateException("chunk list of file " + fileIndex + " is already "
                    + (failed ? "refused" : "complete"));
        }
        try {
            return add(response);
        } catch (final XetWireException e) {
            failed = true;
            list = null;
            throw e;
        }
    }

    private ChunkList add(final XetMessageDecoder r) {
        if (r.fileIndex() != fileIndex) {
            throw new XetWireException("CHUNK_LIST_RESPONSE for file " + Integer.toUnsignedString(r.fileIndex())
                    + ", requested file " + fileIndex);
        }
        final int total = r.listLength();
        if (list == null) {
            if (total > maxListLength) {
                throw new XetWireException("chunk list of file " + fileIndex + " is " + total + " bytes, more than a "
                        + fileLength + "-byte file can need (" + maxListLength + ")");
            }
            if (total < ChunkList.serializedLength(0)) {
                throw new XetWireException("chunk list of file " + fileIndex + " is " + total
                        + " bytes, shorter than its header");
            }
            list = new byte[total];
        } else if (total != list.length) {
            throw new XetWireException("chunk list of file " + fileIndex + " was " + list.length
                    + " bytes, a later fragment says " + total);
        }
        if (r.fragmentOffset() != received) {
            throw new XetWireException("chunk list fragment of file " + fileIndex + " at offset " + r.fragmentOffset()
                    + ", requested offset " + received);
        }
        final int n = r.fragmentLength();
        r.buffer().get(r.fragmentDataOffset(), list, received, n);
        received += n;
        if (received < list.length) {
            return null;
        }
        final ChunkList parsed;
        try {
            parsed = ChunkList.parse(list);
            if (parsed.fileLength() != fileLength) {
                throw new XetFormatException("chunk list covers " + parsed.fileLength() + " bytes, the file has "
                        + fileLength);
            }
            parsed.verify(fileHash);
        } catch (final XetFormatException e) {
            throw new XetWireException("chunk list of file " + fileIndex + " refused: " + e.getMessage(), e);
        }
        list = null;
        result = parsed;
        return parsed;
    }
}
