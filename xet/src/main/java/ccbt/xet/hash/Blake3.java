package ccbt.xet.hash;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * BLAKE3 (hash and keyed-hash modes, 32-byte output) in plain Java, written from the BLAKE3 specification
 * (github.com/BLAKE3-team/BLAKE3-specs): 1 KiB chunks of 64-byte blocks, a 7-round compression function,
 * and a binary tree of chaining values.
 *
 * <p>Runs of whole chunks are hashed as complete subtrees straight from the caller's array (up to
 * {@value #MAX_SUBTREE_CHUNKS} chunks, aligned on the chunk counter), and only the two halves of each
 * subtree go on the stack of pending subtrees, which is merged lazily: a chaining value is never merged
 * until more input proves it is not the root. Where the Vector API is usable ({@link #vectorized()}), the
 * chunks and the parent nodes of a subtree are compressed one per vector lane ({@link Blake3Simd}); else one
 * at a time, with the same results.
 *
 * <p>Incremental and reusable ({@link #finish} resets); no allocation after construction. Only a partial
 * block of a partial chunk is buffered. Not thread-safe.
 */
public final class Blake3 {
    public static final int OUT_LEN = 32;
    /** The system property that forces the implementation: {@code true} (vector) or {@code false} (scalar). */
    public static final String VECTOR_PROPERTY = "ccbt.blake3.vector";
    /** The BLAKE3 IV (the SHA-256 IV). */
    private static final int[] IV = {
        0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
    };
    private static final int CHUNK_START = 1;
    private static final int CHUNK_END = 2;
    private static final int PARENT = 4;
    private static final int ROOT = 8;
    private static final int KEYED_HASH = 16;
    private static final int BLOCK_LEN = 64;
    private static final int CHUNK_LEN = 1024;
    /** Chunks hashed as one subtree at most: bounds the chaining values held while the subtree is reduced. */
    static final int MAX_SUBTREE_CHUNKS = 256;
    /** Enough for 2^54 chunks (the most a 64-bit byte count allows), plus the one unmerged entry. */
    private static final int MAX_DEPTH = 55;

    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final System.Logger LOG = System.getLogger(Blake3.class.getName());

    private final int[] key = new int[8];
    private final int baseFlags;
    /** Chaining value of the current chunk. */
    private final int[] cv = new int[8];
    private final byte[] block = new byte[BLOCK_LEN];
    private int blockLen;
    private int blocksCompressed;
    /** Counter of the current chunk: the number of chunks before it. */
    private long chunkCounter;
    /** Chaining values of subtrees to the left of the current chunk, 8 words each, largest first. */
    private final int[] stack = new int[8 * MAX_DEPTH];
    private int stackLen;
    private final int[] out = new int[8];
    /** A parent merged on the stack (not {@link #out}: that may hold the chaining value being pushed). */
    private final int[] merged = new int[8];
    /** The 16 message words of the block being compressed. */
    private final int[] msg = new int[16];
    /** Chaining values of the subtree being hashed, reduced level by level in place. */
    private final int[] subtree = new int[8 * MAX_SUBTREE_CHUNKS];
    /** Direct buffers are copied through here: one Xet chunk's mean size. */
    private final byte[] scratch = new byte[64 * 1024];
    /** Lane-parallel compressions, or null on the scalar path. */
    private final Blake3Simd simd;

    private Blake3(int[] keyWords, int flags, boolean vectorized) {
        System.arraycopy(keyWords, 0, key, 0, 8);
        this.baseFlags = flags;
        this.simd = vectorized ? Blake3Simd.create() : null;
        reset();
    }

    /**
     * True if new hashers use the vector path. Decided once per JVM: {@code -Dccbt.blake3.vector=true} or
     * {@code false} forces it; by default it is used when the JVM has {@code jdk.incubator.vector} (started with
     * {@code --add-modules jdk.incubator.vector}, as {@code bin/ccbt} and the tests do) and the CPU's preferred
     * integer vectors have at least 256 bits (8 lanes; with 128 the scalar code is as fast). The choice is
     * logged once. Both paths give the same hashes.
     */
    public static boolean vectorized() {
        return Choice.VECTOR;
    }

    /** A hasher in plain hash mode. */
    public static Blake3 newHasher() {
        return newHasher(Choice.VECTOR);
    }

    /** A hasher in keyed-hash mode with this 32-byte key. */
    public static Blake3 newKeyedHasher(byte[] key) {
        return newKeyedHasher(key, Choice.VECTOR);
    }

    /** A hasher on the vector path if asked and the Vector API is usable at all, else scalar. */
    static Blake3 newHasher(boolean vectorized) {
        return new Blake3(IV, 0, vectorized && Choice.USABLE);
    }

    static Blake3 newKeyedHasher(byte[] key, boolean vectorized) {
        if (key.length != 32) {
            throw new IllegalArgumentException("BLAKE3 key must be 32 bytes, got " + key.length);
        }
        final int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = (int) LE_INT.get(key, 4 * i);
        }
        return new Blake3(words, KEYED_HASH, vectorized && Choice.USABLE);
    }

    /** True if this hasher compresses on the vector path. */
    boolean isVectorized() {
        return simd != null;
    }

    /** Decides once whether the vector class may be loaded at all, and whether hashers use it by default. */
    private static final class Choice {
        /** Bits of the preferred integer vector, or 0 if the Vector API is absent. */
        static final int BITS = vectorBits();
        static final boolean USABLE = BITS > 0;
        static final boolean VECTOR = decide();

        private static int vectorBits() {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                return 0;
            }
            try {
                return Blake3Simd.vectorBits();
            } catch (LinkageError e) {
                return 0;
            }
        }

        private static boolean decide() {
            final String forced = System.getProperty(VECTOR_PROPERTY, "").trim();
            final String lanes = BITS + "-bit vectors, " + BITS / 32 + " lanes";
            if (forced.equalsIgnoreCase("false")) {
                LOG.log(System.Logger.Level.INFO, "BLAKE3: scalar (-D" + VECTOR_PROPERTY + "=false)");
                return false;
            }
            if (!USABLE) {
                LOG.log(forced.equalsIgnoreCase("true") ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                        "BLAKE3: scalar (no jdk.incubator.vector in this JVM: start it with"
                        + " --add-modules jdk.incubator.vector for the vector path, about 6 times faster)");
                return false;
            }
            if (forced.equalsIgnoreCase("true")) {
                LOG.log(System.Logger.Level.INFO, "BLAKE3: vector (" + lanes + ", -D" + VECTOR_PROPERTY + "=true)");
                return true;
            }
            if (!forced.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "BLAKE3: ignoring -D" + VECTOR_PROPERTY + "=" + forced
                        + " (expected true or false)");
            }
            if (BITS < 256) {
                LOG.log(System.Logger.Level.INFO, "BLAKE3: scalar (auto; only " + lanes + " on this CPU)");
                return false;
            }
            LOG.log(System.Logger.Level.INFO, "BLAKE3: vector (auto; " + lanes + ")");
            return true;
        }
    }

    /** Forgets all input. */
    public void reset() {
        System.arraycopy(key, 0, cv, 0, 8);
        blockLen = 0;
        blocksCompressed = 0;
        chunkCounter = 0;
        stackLen = 0;
    }

    /** Hashes {@code data[offset, offset + length)}. */
    public void update(final byte[] data, int offset, int length) {
        if (offset < 0 || length < 0 || offset > data.length - length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of " + data.length);
        }
        while (length > 0) {
            final int chunkBytes = blocksCompressed * BLOCK_LEN + blockLen;
            if (chunkBytes == CHUNK_LEN) {
                // The chunk is full and more input follows: it is not the last chunk, so finish it.
                compress(cv, block, 0, chunkCounter, BLOCK_LEN, baseFlags | CHUNK_END | startFlag(), out);
                pushCv(out, 0, chunkCounter);
                chunkCounter++;
                resetChunk();
            } else if (chunkBytes > 0) {
                final int take = Math.min(CHUNK_LEN - chunkBytes, length);
                absorb(data, offset, take);
                offset += take;
                length -= take;
            } else if (length > CHUNK_LEN) {
                // Whole chunks with more input after the first: the largest complete subtree that fits and is
                // aligned on the chunk counter (a subtree of 2^k chunks starts at a multiple of 2^k).
                int chunks = Integer.highestOneBit(Math.min(length / CHUNK_LEN, MAX_SUBTREE_CHUNKS));
                while ((chunkCounter & (chunks - 1)) != 0) {
                    chunks >>>= 1;
                }
                if (chunks == 1) {
                    hashChunk(data, offset, chunkCounter, out);
                    pushCv(out, 0, chunkCounter);
                } else {
                    // Its two halves, not its root: if the input ends here, they make the root in finish().
                    hashSubtree(data, offset, chunks);
                    pushCv(subtree, 0, chunkCounter);
                    pushCv(subtree, 8, chunkCounter + chunks / 2);
                }
                chunkCounter += chunks;
                offset += chunks * CHUNK_LEN;
                length -= chunks * CHUNK_LEN;
            } else {
                // At most one chunk left: it starts the current chunk, so the stack is not the root: merge it.
                absorb(data, offset, length);
                mergeStack(chunkCounter);
                offset += length;
                length = 0;
            }
        }
    }

    /** Adds {@code data[at, at + length)} to the current chunk, which has room for it. */
    private void absorb(final byte[] data, int at, int length) {
        while (length > 0) {
            if (blockLen == BLOCK_LEN) {
                // More bytes of this chunk follow the buffered block: it is not the chunk's last.
                compress(cv, block, 0, chunkCounter, BLOCK_LEN, baseFlags | startFlag(), cv);
                blocksCompressed++;
                blockLen = 0;
            }
            if (blockLen == 0) {
                while (length > BLOCK_LEN) {
                    compress(cv, data, at, chunkCounter, BLOCK_LEN, baseFlags | startFlag(), cv);
                    blocksCompressed++;
                    at += BLOCK_LEN;
                    length -= BLOCK_LEN;
                }
            }
            // Buffer up to one block: whether it ends the chunk is known only when more input comes.
            final int n = Math.min(BLOCK_LEN - blockLen, length);
            System.arraycopy(data, at, block, blockLen, n);
            blockLen += n;
            at += n;
            length -= n;
        }
    }

    /** The chaining value of the whole, non-final chunk {@code data[offset, +1024)} with this counter. */
    private void hashChunk(final byte[] data, final int offset, final long counter, final int[] result) {
        compress(key, data, offset, counter, BLOCK_LEN, baseFlags | CHUNK_START, result);
        for (int b = 1; b < 15; b++) {
            compress(result, data, offset + b * BLOCK_LEN, counter, BLOCK_LEN, baseFlags, result);
        }
        compress(result, data, offset + 15 * BLOCK_LEN, counter, BLOCK_LEN, baseFlags | CHUNK_END, result);
    }

    /**
     * Hashes the {@code chunks} (a power of two, at least 2) whole chunks at {@code data[offset...]}, starting
     * at {@link #chunkCounter}, and leaves the chaining values of the subtree's two halves in
     * {@code subtree[0, 16)}.
     */
    private void hashSubtree(final byte[] data, final int offset, final int chunks) {
        final int[] cvs = subtree;
        if (simd != null) {
            final int lanes = simd.lanes();
            for (int c = 0; c < chunks; c += lanes) {
                simd.hashChunks(key, baseFlags, data, offset + c * CHUNK_LEN, chunkCounter + c,
                        Math.min(lanes, chunks - c), cvs, 8 * c);
            }
        } else {
            for (int c = 0; c < chunks; c++) {
                hashChunk(data, offset + c * CHUNK_LEN, chunkCounter + c, out);
                System.arraycopy(out, 0, cvs, 8 * c, 8);
            }
        }
        // Each level's parents overwrite the front of the level below (parent p reads 16p..16p+16, writes 8p..).
        for (int n = chunks; n > 2; n >>>= 1) {
            final int parents = n >>> 1;
            if (simd != null && parents >= 2) {
                final int lanes = simd.lanes();
                for (int p = 0; p < parents; p += lanes) {
                    simd.hashParents(key, baseFlags, cvs, 16 * p, Math.min(lanes, parents - p), cvs, 8 * p);
                }
            } else {
                for (int p = 0; p < parents; p++) {
                    System.arraycopy(cvs, 16 * p, msg, 0, 16);
                    compressWords(key, msg, 0L, BLOCK_LEN, baseFlags | PARENT, out);
                    System.arraycopy(out, 0, cvs, 8 * p, 8);
                }
            }
        }
    }

    /** Hashes the buffer's remaining bytes; its position advances to its limit. */
    public void update(ByteBuffer data) {
        update(data, data.position(), data.limit());
        data.position(data.limit());
    }

    /** Hashes {@code data[from, to)} by absolute index (heap or direct); position and limit are not used. */
    public void update(ByteBuffer data, int from, int to) {
        if (from < 0 || from > to || to > data.capacity()) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + data.capacity());
        }
        if (data.hasArray()) {
            update(data.array(), data.arrayOffset() + from, to - from);
            return;
        }
        for (int pos = from; pos < to; ) {
            final int n = Math.min(scratch.length, to - pos);
            data.get(pos, scratch, 0, n);
            update(scratch, 0, n);
            pos += n;
        }
    }

    /** Writes the 32-byte hash of all input to {@code dst[offset, offset + 32)}, then resets. */
    public void finish(byte[] dst, int offset) {
        if (offset < 0 || offset > dst.length - OUT_LEN) {
            throw new IndexOutOfBoundsException("32-byte output at " + offset + " of " + dst.length);
        }
        final int chunkBytes = blocksCompressed * BLOCK_LEN + blockLen;
        if (stackLen == 0) {
            // One chunk (maybe empty): it is the root.
            lastBlockOfChunk(ROOT);
        } else {
            int left;
            if (chunkBytes > 0) {
                // The stack was merged when this chunk started: fold the chunk into it, right to left.
                lastBlockOfChunk(0);
                left = stackLen - 1;
            } else {
                // The input ended with a subtree: its two halves are the top of the stack.
                System.arraycopy(stack, 8 * (stackLen - 1), out, 0, 8);
                left = stackLen - 2;
            }
            for (int i = left; i >= 0; i--) {
                parent(8 * i, i == 0 ? ROOT : 0);
            }
        }
        for (int i = 0; i < 8; i++) {
            LE_INT.set(dst, offset + 4 * i, out[i]);
        }
        reset();
    }

    /** The 32-byte hash of all input; resets. */
    public byte[] finish() {
        final byte[] result = new byte[OUT_LEN];
        finish(result, 0);
        return result;
    }

    /** {@code out} = the current chunk's chaining value: its last block, zero-padded, with these extra flags. */
    private void lastBlockOfChunk(int extraFlags) {
        Arrays.fill(block, blockLen, BLOCK_LEN, (byte) 0);
        compress(cv, block, 0, chunkCounter, blockLen, baseFlags | CHUNK_END | startFlag() | extraFlags, out);
    }

    private int startFlag() {
        return blocksCompressed == 0 ? CHUNK_START : 0;
    }

    private void resetChunk() {
        System.arraycopy(key, 0, cv, 0, 8);
        blocksCompressed = 0;
        blockLen = 0;
    }

    /**
     * Pushes the chaining value {@code src[srcOff, +8)} of a subtree whose first chunk has counter
     * {@code firstChunk}, after merging what that proves complete.
     */
    private void pushCv(int[] src, int srcOff, long firstChunk) {
        mergeStack(firstChunk);
        System.arraycopy(src, srcOff, stack, 8 * stackLen, 8);
        stackLen++;
    }

    /**
     * Merges the top of the stack until it holds one entry per one-bit of {@code totalChunks}: the complete
     * subtrees left of chunk {@code totalChunks}. Called only once more input is known to follow.
     */
    private void mergeStack(long totalChunks) {
        final int target = Long.bitCount(totalChunks);
        while (stackLen > target) {
            System.arraycopy(stack, 8 * (stackLen - 2), msg, 0, 16);
            compressWords(key, msg, 0L, BLOCK_LEN, baseFlags | PARENT, merged);
            stackLen--;
            System.arraycopy(merged, 0, stack, 8 * (stackLen - 1), 8);
        }
    }

    /** {@code out} = parent of the left child at {@code stack[leftOff, +8)} and the right child in {@code out}. */
    private void parent(int leftOff, int extraFlags) {
        final int[] m = msg;
        System.arraycopy(stack, leftOff, m, 0, 8);
        System.arraycopy(out, 0, m, 8, 8);
        compressWords(key, m, 0L, BLOCK_LEN, baseFlags | PARENT | extraFlags, out);
    }

    private void compress(int[] chainingValue, byte[] m, int at, long counter, int len, int flags, int[] result) {
        final int[] words = msg;
        for (int i = 0; i < 16; i++) {
            words[i] = (int) LE_INT.get(m, at + 4 * i);
        }
        compressWords(chainingValue, words, counter, len, flags, result);
    }

    /** The compression function; writes the 8-word chaining value (first half of the output) to {@code result}. */
    private static void compressWords(int[] cv, int[] m, long counter, int len, int flags, int[] result) {
        final int m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4], m5 = m[5], m6 = m[6], m7 = m[7];
        final int m8 = m[8], m9 = m[9], m10 = m[10], m11 = m[11], m12 = m[12], m13 = m[13], m14 = m[14], m15 = m[15];
        int v0 = cv[0], v1 = cv[1], v2 = cv[2], v3 = cv[3], v4 = cv[4], v5 = cv[5], v6 = cv[6], v7 = cv[7];
        int v8 = 0x6A09E667, v9 = 0xBB67AE85, v10 = 0x3C6EF372, v11 = 0xA54FF53A;
        int v12 = (int) counter, v13 = (int) (counter >>> 32), v14 = len, v15 = flags;
        // Seven rounds, unrolled; the message words of round r are the spec's permutation applied r times.
        // round 0
        v0 += v4 + m0; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
        v0 += v4 + m1; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
        v1 += v5 + m2; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
        v1 += v5 + m3; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
        v2 += v6 + m4; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
        v2 += v6 + m5; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
        v3 += v7 + m6; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
        v3 += v7 + m7; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
        v0 += v5 + m8; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
        v0 += v5 + m9; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
        v1 += v6 + m10; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
        v1 += v6 + m11; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
        v2 += v7 + m12; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
        v2 += v7 + m13; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
        v3 += v4 + m14; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
        v3 += v4 + m15; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
        // round 1
        v0 += v4 + m2; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
        v0 += v4 + m6; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
        v1 += v5 + m3; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
        v1 += v5 + m10; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
        v2 += v6 + m7; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
        v2 += v6 + m0; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
        v3 += v7 + m4; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
        v3 += v7 + m13; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
        v0 += v5 + m1; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
        v0 += v5 + m11; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
        v1 += v6 + m12; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
        v1 += v6 + m5; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
        v2 += v7 + m9; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
        v2 += v7 + m14; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
        v3 += v4 + m15; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
        v3 += v4 + m8; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
        // round 2
        v0 += v4 + m3; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
        v0 += v4 + m4; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
        v1 += v5 + m10; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
        v1 += v5 + m12; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
        v2 += v6 + m13; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
        v2 += v6 + m2; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
        v3 += v7 + m7; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
        v3 += v7 + m14; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
        v0 += v5 + m6; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
        v0 += v5 + m5; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
        v1 += v6 + m9; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
        v1 += v6 + m0; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
        v2 += v7 + m11; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
        v2 += v7 + m15; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
        v3 += v4 + m8; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
        v3 += v4 + m1; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
        // round 3
        v0 += v4 + m10; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
        v0 += v4 + m7; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
        v1 += v5 + m12; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
        v1 += v5 + m9; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
        v2 += v6 + m14; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
        v2 += v6 + m3; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
        v3 += v7 + m13; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
        v3 += v7 + m15; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
        v0 += v5 + m4; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
        v0 += v5 + m0; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
        v1 += v6 + m11; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
        v1 += v6 + m2; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
        v2 += v7 + m5; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
        v2 += v7 + m8; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
        v3 += v4 + m1; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
        v3 += v4 + m6; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
        // round 4
        v0 += v4 + m12; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
        v0 += v4 + m13; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
        v1 += v5 + m9; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
        v1 += v5 + m11; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
        v2 += v6 + m15; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
        v2 += v6 + m10; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
        v3 += v7 + m14; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
        v3 += v7 + m8; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
        v0 += v5 + m7; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
        v0 += v5 + m2; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
        v1 += v6 + m5; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
        v1 += v6 + m3; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
        v2 += v7 + m0; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
        v2 += v7 + m1; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
        v3 += v4 + m6; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
        v3 += v4 + m4; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
        // round 5
        v0 += v4 + m9; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
        v0 += v4 + m14; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
        v1 += v5 + m11; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
        v1 += v5 + m5; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
        v2 += v6 + m8; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
        v2 += v6 + m12; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
        v3 += v7 + m15; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
        v3 += v7 + m1; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
        v0 += v5 + m13; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
        v0 += v5 + m3; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
        v1 += v6 + m0; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
        v1 += v6 + m10; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
        v2 += v7 + m2; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
        v2 += v7 + m6; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
        v3 += v4 + m4; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
        v3 += v4 + m7; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
        // round 6
        v0 += v4 + m11; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
        v0 += v4 + m15; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
        v1 += v5 + m5; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
        v1 += v5 + m0; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
        v2 += v6 + m1; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
        v2 += v6 + m9; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
        v3 += v7 + m8; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
        v3 += v7 + m6; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
        v0 += v5 + m14; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
        v0 += v5 + m10; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
        v1 += v6 + m2; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
        v1 += v6 + m12; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
        v2 += v7 + m3; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
        v2 += v7 + m4; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
        v3 += v4 + m7; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
        v3 += v4 + m13; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
        result[0] = v0 ^ v8;
        result[1] = v1 ^ v9;
        result[2] = v2 ^ v10;
        result[3] = v3 ^ v11;
        result[4] = v4 ^ v12;
        result[5] = v5 ^ v13;
        result[6] = v6 ^ v14;
        result[7] = v7 ^ v15;
    }
}
