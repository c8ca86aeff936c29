package ccbt.xet.hash;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * BLAKE3 (hash and keyed-hash modes, 32-byte output) in plain Java, written from the BLAKE3 specification
 * (github.com/BLAKE3-team/BLAKE3-specs): 1 KiB chunks of 64-byte blocks, a 7-round compression function,
 * and a binary tree of chaining values merged on a stack as chunks complete.
 *
 * <p>Incremental and reusable ({@link #finish} resets); no allocation after construction. Whole chunks and
 * blocks are compressed straight from the caller's array; only a partial block is buffered. Where the JVM
 * offers the Vector API, runs of 8 or 16 whole chunks (one per vector lane) are compressed together ({@link #vectorized()}). Not
 * thread-safe.
 */
public final class Blake3 {
    public static final int OUT_LEN = 32;
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
    /** Enough for 2^54 chunks, the most a 64-bit byte count allows. */
    private static final int MAX_DEPTH = 54;

    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final int[] key = new int[8];
    private final int baseFlags;
    /** Chaining value of the current chunk. */
    private final int[] cv = new int[8];
    private final byte[] block = new byte[BLOCK_LEN];
    private int blockLen;
    private int blocksCompressed;
    private long chunkCounter;
    /** Chaining values of completed left subtrees, 8 words each. */
    private final int[] stack = new int[8 * MAX_DEPTH];
    private int stackLen;
    private final int[] out = new int[8];
    /** The 16 message words of the block being compressed. */
    private final int[] msg = new int[16];
    private final byte[] scratch = new byte[16384];
    /** Eight-chunk vector path, or null where the Vector API is absent. */
    private final Blake3Simd simd;
    private final int[] cvs;
    /**
     * The chaining value of a full chunk hashed by the vector path as the last of the input so far: pushed
     * if more input comes, else the last chunk's output in {@link #finish}.
     */
    private final int[] pendingCv = new int[8];
    private boolean pending;

    private Blake3(int[] keyWords, int flags, boolean vectorized) {
        System.arraycopy(keyWords, 0, key, 0, 8);
        this.baseFlags = flags;
        this.simd = vectorized ? Blake3Simd.create() : null;
        this.cvs = simd == null ? null : new int[8 * simd.lanes()];
        reset();
    }

    /**
     * True if hashers use the vector path: enabled with {@code -Dccbt.blake3.vector=true}, and the JVM has
     * {@code jdk.incubator.vector} (started with {@code --add-modules jdk.incubator.vector}) and vectors of at
     * least 256 bits. Otherwise hashing is scalar, with the same results. Opt-in because the vector code
     * runs very slowly until C2 has compiled it (seconds): it pays in a long-running process (about 3 times
     * the scalar speed once warm), not in a short one (a 200 MiB file took several times longer).
     */
    public static boolean vectorized() {
        return SimdSupport.AVAILABLE;
    }

    /** A hasher in plain hash mode. */
    public static Blake3 newHasher() {
        return newHasher(SimdSupport.AVAILABLE);
    }

    /** A hasher in keyed-hash mode with this 32-byte key. */
    public static Blake3 newKeyedHasher(byte[] key) {
        return newKeyedHasher(key, SimdSupport.AVAILABLE);
    }

    static Blake3 newHasher(boolean vectorized) {
        return new Blake3(IV, 0, vectorized && SimdSupport.AVAILABLE);
    }

    static Blake3 newKeyedHasher(byte[] key, boolean vectorized) {
        if (key.length != 32) {
            throw new IllegalArgumentException("BLAKE3 key must be 32 bytes, got " + key.length);
        }
        final int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = (int) LE_INT.get(key, 4 * i);
        }
        return new Blake3(words, KEYED_HASH, vectorized && SimdSupport.AVAILABLE);
    }

    /** Decides once whether the vector class may be loaded at all. */
    private static final class SimdSupport {
        static final boolean AVAILABLE = check();

        private static boolean check() {
            if (!Boolean.getBoolean("ccbt.blake3.vector")
                    || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                return false;
            }
            try {
                return Blake3Simd.usable();
            } catch (LinkageError e) {
                return false;
            }
        }
    }

    /** Forgets all input. */
    public void reset() {
        System.arraycopy(key, 0, cv, 0, 8);
        blockLen = 0;
        blocksCompressed = 0;
        chunkCounter = 0;
        stackLen = 0;
        pending = false;
    }

    /** Hashes {@code data[offset, offset + length)}. */
    public void update(final byte[] data, int offset, int length) {
        if (offset < 0 || length < 0 || offset > data.length - length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of " + data.length);
        }
        while (length > 0) {
            if (pending) {
                pending = false;
                System.arraycopy(pendingCv, 0, out, 0, 8);
                pushChunk();
            }
            if (blocksCompressed * BLOCK_LEN + blockLen == CHUNK_LEN) {
                // The chunk is full and more input follows: it is not the root, so finish it.
                compress(cv, block, 0, chunkCounter, BLOCK_LEN, baseFlags | CHUNK_END | startFlag(), out);
                pushChunk();
            }
            if (simd != null && blockLen == 0 && blocksCompressed == 0 && length >= cvs.length / 8 * CHUNK_LEN) {
                // One whole chunk per vector lane. If they end the input so far, the last one is held back:
                // it is not the root (the others come before it), but it must stay the current chunk.
                final int lanes = cvs.length / 8;
                simd.hashChunks(key, baseFlags, data, offset, chunkCounter, cvs);
                final boolean more = length > lanes * CHUNK_LEN;
                for (int l = 0; l < (more ? lanes : lanes - 1); l++) {
                    System.arraycopy(cvs, 8 * l, out, 0, 8);
                    pushChunk();
                }
                if (!more) {
                    System.arraycopy(cvs, 8 * (lanes - 1), pendingCv, 0, 8);
                    pending = true;
                }
                offset += lanes * CHUNK_LEN;
                length -= lanes * CHUNK_LEN;
                continue;
            }
            if (blockLen == 0 && blocksCompressed == 0 && length > CHUNK_LEN) {
                // A whole chunk with more input after it, straight from the caller's array.
                compress(key, data, offset, chunkCounter, BLOCK_LEN, baseFlags | CHUNK_START, cv);
                for (int b = 1; b < 15; b++) {
                    compress(cv, data, offset + b * BLOCK_LEN, chunkCounter, BLOCK_LEN, baseFlags, cv);
                }
                compress(cv, data, offset + 15 * BLOCK_LEN, chunkCounter, BLOCK_LEN, baseFlags | CHUNK_END, out);
                pushChunk();
                offset += CHUNK_LEN;
                length -= CHUNK_LEN;
                continue;
            }
            final int take = Math.min(CHUNK_LEN - blocksCompressed * BLOCK_LEN - blockLen, length);
            int at = offset;
            int left = take;
            while (left > 0) {
                if (blockLen == BLOCK_LEN) {
                    // More bytes of this chunk follow the buffered block: it is not the chunk's last.
                    compress(cv, block, 0, chunkCounter, BLOCK_LEN, baseFlags | startFlag(), cv);
                    blocksCompressed++;
                    blockLen = 0;
                }
                if (blockLen == 0) {
                    while (left > BLOCK_LEN) {
                        compress(cv, data, at, chunkCounter, BLOCK_LEN, baseFlags | startFlag(), cv);
                        blocksCompressed++;
                        at += BLOCK_LEN;
                        left -= BLOCK_LEN;
                    }
                }
                // Buffer up to one block: whether it ends the chunk is known only when more input comes.
                final int n = Math.min(BLOCK_LEN - blockLen, left);
                System.arraycopy(data, at, block, blockLen, n);
                blockLen += n;
                at += n;
                left -= n;
            }
            offset += take;
            length -= take;
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
        // The last chunk's last block, zero-padded; then up the stack of left subtrees to the root.
        Arrays.fill(block, blockLen, BLOCK_LEN, (byte) 0);
        final int lastFlags = baseFlags | CHUNK_END | startFlag();
        if (pending) {
            // The last chunk came through the vector path; chunks before it are on the stack.
            System.arraycopy(pendingCv, 0, out, 0, 8);
            for (int i = stackLen - 1; i >= 0; i--) {
                parent(8 * i, i == 0 ? ROOT : 0);
            }
        } else if (stackLen == 0) {
            compress(cv, block, 0, chunkCounter, blockLen, lastFlags | ROOT, out);
        } else {
            compress(cv, block, 0, chunkCounter, blockLen, lastFlags, out);
            for (int i = stackLen - 1; i >= 0; i--) {
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

    private int startFlag() {
        return blocksCompressed == 0 ? CHUNK_START : 0;
    }

    /** Pushes the finished chunk's chaining value (in {@code out}), merging completed subtrees. */
    private void pushChunk() {
        long totalChunks = ++chunkCounter;
        while ((totalChunks & 1) == 0) {
            stackLen--;
            parent(8 * stackLen, 0);
            totalChunks >>>= 1;
        }
        System.arraycopy(out, 0, stack, 8 * stackLen, 8);
        stackLen++;
        System.arraycopy(key, 0, cv, 0, 8);
        blocksCompressed = 0;
        blockLen = 0;
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
