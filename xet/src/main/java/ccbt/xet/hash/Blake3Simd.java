package ccbt.xet.hash;

import static jdk.incubator.vector.VectorOperators.ROR;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Several independent BLAKE3 compressions at once, one per lane of the preferred integer vector (8 lanes
 * with AVX2, 16 with AVX-512): the "hash many" strategy of the BLAKE3 paper, for whole chunks (independent
 * until their chaining values meet in the tree) and for the parent nodes of one tree level. Uses the
 * incubating Vector API, so {@link Blake3} only loads this class when {@code jdk.incubator.vector} is in
 * the boot layer (the JVM was started with {@code --add-modules jdk.incubator.vector}).
 *
 * <p>The seven rounds are one loop whose message words are loaded through the spec's permutation table,
 * not seven unrolled copies: the compression method stays small (about 1 KB of bytecode instead of 8), so
 * C2 compiles it after a few MB of input and in a fraction of the time. Before that, Vector API code runs in
 * the interpreter or C1 at a few MB/s; the unrolled version could not be compiled by C1 at all (out of
 * registers) and took seconds of C2 time. Not thread-safe.
 */
final class Blake3Simd {
    private static final VectorSpecies<Integer> S = IntVector.SPECIES_PREFERRED;
    /** Compressions per call: the number of 32-bit lanes. */
    static final int LANES = S.length();
    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int CHUNK_START = 1;
    private static final int CHUNK_END = 2;
    private static final int PARENT = 4;
    private static final int BLOCK_LEN = 64;
    private static final int CHUNK_LEN = 1024;
    /** The spec's message permutation. */
    private static final int[] PERMUTATION = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};
    /**
     * For round r and position i, the offset in {@link #msg} of the message word used there: the spec's
     * permutation applied r times, times {@link #LANES} (the transposed layout).
     */
    private static final int[] SCHEDULE = schedule();

    /** Message words transposed: word w of lane l at [LANES * w + l]. */
    private final int[] msg = new int[16 * LANES];
    /** Chaining values transposed: word w of lane l at [LANES * w + l]. */
    private final int[] state = new int[8 * LANES];
    private final int[] counterLow = new int[LANES];
    private final int[] counterHigh = new int[LANES];

    private Blake3Simd() {
    }

    static Blake3Simd create() {
        return new Blake3Simd();
    }

    private static int[] schedule() {
        final int[] order = new int[16];
        for (int i = 0; i < 16; i++) {
            order[i] = i;
        }
        final int[] out = new int[7 * 16];
        for (int r = 0; r < 7; r++) {
            for (int i = 0; i < 16; i++) {
                out[16 * r + i] = order[i] * LANES;
            }
            final int[] next = new int[16];
            for (int i = 0; i < 16; i++) {
                next[i] = order[PERMUTATION[i]];
            }
            System.arraycopy(next, 0, order, 0, 16);
        }
        return out;
    }

    /** Bits of the preferred integer vector on this CPU (as the JIT sees it). */
    static int vectorBits() {
        return S.vectorBitSize();
    }

    int lanes() {
        return LANES;
    }

    /**
     * Hashes {@code count} (1 to {@link #LANES}) whole, non-final chunks {@code data[offset + 1024 * c, +1024)}
     * with chunk counters {@code counter + c}, and writes chunk c's chaining value to {@code cvs[cvOffset + 8 * c, +8)}.
     * Lanes beyond {@code count} re-hash the last chunk; their results are dropped.
     */
    void hashChunks(int[] key, int flags, byte[] data, int offset, long counter, int count, int[] cvs, int cvOffset) {
        final int[] st = state;
        final int[] w = msg;
        for (int word = 0; word < 8; word++) {
            Arrays.fill(st, LANES * word, LANES * (word + 1), key[word]);
        }
        for (int l = 0; l < LANES; l++) {
            final long c = counter + Math.min(l, count - 1);
            counterLow[l] = (int) c;
            counterHigh[l] = (int) (c >>> 32);
        }
        for (int block = 0; block < 16; block++) {
            for (int l = 0; l < LANES; l++) {
                final int at = offset + CHUNK_LEN * Math.min(l, count - 1) + BLOCK_LEN * block;
                for (int i = 0; i < 16; i++) {
                    w[LANES * i + l] = (int) LE_INT.get(data, at + 4 * i);
                }
            }
            compress(flags | (block == 0 ? CHUNK_START : 0) | (block == 15 ? CHUNK_END : 0));
        }
        scatter(count, cvs, cvOffset);
    }

    /**
     * Computes {@code count} (1 to {@link #LANES}) parent nodes: parent p's message is the 16 words
     * {@code children[childOffset + 16 * p, +16)} (left then right chaining value), and its chaining value
     * goes to {@code cvs[cvOffset + 8 * p, +8)}. {@code cvs} may be {@code children} with
     * {@code cvOffset <= childOffset} (a tree level reduced in place).
     */
    void hashParents(int[] key, int flags, int[] children, int childOffset, int count, int[] cvs, int cvOffset) {
        final int[] st = state;
        final int[] w = msg;
        for (int word = 0; word < 8; word++) {
            Arrays.fill(st, LANES * word, LANES * (word + 1), key[word]);
        }
        Arrays.fill(counterLow, 0);
        Arrays.fill(counterHigh, 0);
        for (int l = 0; l < LANES; l++) {
            final int at = childOffset + 16 * Math.min(l, count - 1);
            for (int i = 0; i < 16; i++) {
                w[LANES * i + l] = children[at + i];
            }
        }
        compress(flags | PARENT);
        scatter(count, cvs, cvOffset);
    }

    private void scatter(int count, int[] cvs, int cvOffset) {
        final int[] st = state;
        for (int l = 0; l < count; l++) {
            final int at = cvOffset + 8 * l;
            for (int word = 0; word < 8; word++) {
                cvs[at + word] = st[LANES * word + l];
            }
        }
    }

    /** One compression per lane of {@link #state} with {@link #msg}: full 64-byte blocks, these flags. */
    private void compress(int flags) {
        final int[] st = state;
        final int[] w = msg;
        final int[] sched = SCHEDULE;
        IntVector v0 = IntVector.fromArray(S, st, 0);
        IntVector v1 = IntVector.fromArray(S, st, LANES);
        IntVector v2 = IntVector.fromArray(S, st, 2 * LANES);
        IntVector v3 = IntVector.fromArray(S, st, 3 * LANES);
        IntVector v4 = IntVector.fromArray(S, st, 4 * LANES);
        IntVector v5 = IntVector.fromArray(S, st, 5 * LANES);
        IntVector v6 = IntVector.fromArray(S, st, 6 * LANES);
        IntVector v7 = IntVector.fromArray(S, st, 7 * LANES);
        IntVector v8 = IntVector.broadcast(S, 0x6A09E667);
        IntVector v9 = IntVector.broadcast(S, 0xBB67AE85);
        IntVector v10 = IntVector.broadcast(S, 0x3C6EF372);
        IntVector v11 = IntVector.broadcast(S, 0xA54FF53A);
        IntVector v12 = IntVector.fromArray(S, counterLow, 0);
        IntVector v13 = IntVector.fromArray(S, counterHigh, 0);
        IntVector v14 = IntVector.broadcast(S, BLOCK_LEN);
        IntVector v15 = IntVector.broadcast(S, flags);
        for (int r = 0; r < 7 * 16; r += 16) {
            // Columns.
            v0 = v0.add(v4).add(IntVector.fromArray(S, w, sched[r])); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
            v0 = v0.add(v4).add(IntVector.fromArray(S, w, sched[r + 1])); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
            v1 = v1.add(v5).add(IntVector.fromArray(S, w, sched[r + 2])); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
            v1 = v1.add(v5).add(IntVector.fromArray(S, w, sched[r + 3])); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
            v2 = v2.add(v6).add(IntVector.fromArray(S, w, sched[r + 4])); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
            v2 = v2.add(v6).add(IntVector.fromArray(S, w, sched[r + 5])); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
            v3 = v3.add(v7).add(IntVector.fromArray(S, w, sched[r + 6])); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
            v3 = v3.add(v7).add(IntVector.fromArray(S, w, sched[r + 7])); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
            // Diagonals.
            v0 = v0.add(v5).add(IntVector.fromArray(S, w, sched[r + 8])); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
            v0 = v0.add(v5).add(IntVector.fromArray(S, w, sched[r + 9])); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
            v1 = v1.add(v6).add(IntVector.fromArray(S, w, sched[r + 10])); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
            v1 = v1.add(v6).add(IntVector.fromArray(S, w, sched[r + 11])); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
            v2 = v2.add(v7).add(IntVector.fromArray(S, w, sched[r + 12])); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
            v2 = v2.add(v7).add(IntVector.fromArray(S, w, sched[r + 13])); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
            v3 = v3.add(v4).add(IntVector.fromArray(S, w, sched[r + 14])); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
            v3 = v3.add(v4).add(IntVector.fromArray(S, w, sched[r + 15])); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
        }
        v0.lanewise(XOR, v8).intoArray(st, 0);
        v1.lanewise(XOR, v9).intoArray(st, LANES);
        v2.lanewise(XOR, v10).intoArray(st, 2 * LANES);
        v3.lanewise(XOR, v11).intoArray(st, 3 * LANES);
        v4.lanewise(XOR, v12).intoArray(st, 4 * LANES);
        v5.lanewise(XOR, v13).intoArray(st, 5 * LANES);
        v6.lanewise(XOR, v14).intoArray(st, 6 * LANES);
        v7.lanewise(XOR, v15).intoArray(st, 7 * LANES);
    }
}
