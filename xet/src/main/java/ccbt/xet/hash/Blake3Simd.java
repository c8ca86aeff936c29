package ccbt.xet.hash;

import static jdk.incubator.vector.VectorOperators.ROR;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Several whole BLAKE3 chunks at once, one per lane of the preferred integer vector (8 lanes with AVX2, 16
 * with AVX-512): the "hash many" strategy of the BLAKE3 paper, as chunks are independent until their
 * chaining values meet in the tree. Uses the
 * incubating Vector API, so {@link Blake3} only loads this class when {@code jdk.incubator.vector} is in
 * the boot layer (the JVM was started with {@code --add-modules jdk.incubator.vector}).
 */
final class Blake3Simd {
    private static final VectorSpecies<Integer> S = IntVector.SPECIES_PREFERRED;
    /** Chunks per call: the number of 32-bit lanes. */
    static final int LANES = S.length();
    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int CHUNK_START = 1;
    private static final int CHUNK_END = 2;

    /** Message words transposed: word w of lane l at [LANES * w + l]. */
    private final int[] words = new int[16 * LANES];
    private final int[] lanes = new int[LANES];

    private Blake3Simd() {
    }

    static Blake3Simd create() {
        return new Blake3Simd();
    }

    /** True if the hardware has integer vectors of at least 256 bits (else the scalar path is faster). */
    static boolean usable() {
        return S.vectorBitSize() >= 256;
    }

    int lanes() {
        return LANES;
    }

    /**
     * Compresses the {@link #LANES} chunks {@code data[offset + 1024 * l, +1024)} with chunk counters
     * {@code counter + l}, and writes chunk l's chaining value to {@code cvs[8 * l, +8)}.
     */
    void hashChunks(int[] key, int flags, byte[] data, int offset, long counter, int[] cvs) {
        IntVector h0 = IntVector.broadcast(S, key[0]);
        IntVector h1 = IntVector.broadcast(S, key[1]);
        IntVector h2 = IntVector.broadcast(S, key[2]);
        IntVector h3 = IntVector.broadcast(S, key[3]);
        IntVector h4 = IntVector.broadcast(S, key[4]);
        IntVector h5 = IntVector.broadcast(S, key[5]);
        IntVector h6 = IntVector.broadcast(S, key[6]);
        IntVector h7 = IntVector.broadcast(S, key[7]);
        for (int l = 0; l < LANES; l++) {
            lanes[l] = (int) (counter + l);
        }
        final IntVector counterLow = IntVector.fromArray(S, lanes, 0);
        for (int l = 0; l < LANES; l++) {
            lanes[l] = (int) ((counter + l) >>> 32);
        }
        final IntVector counterHigh = IntVector.fromArray(S, lanes, 0);
        final IntVector blockLen = IntVector.broadcast(S, 64);
        final int[] w = words;
        for (int block = 0; block < 16; block++) {
            final int base = offset + 64 * block;
            for (int l = 0; l < LANES; l++) {
                final int at = base + 1024 * l;
                for (int i = 0; i < 16; i++) {
                    w[LANES * i + l] = (int) LE_INT.get(data, at + 4 * i);
                }
            }
            final IntVector m0 = IntVector.fromArray(S, w, 0 * LANES);
            final IntVector m1 = IntVector.fromArray(S, w, 1 * LANES);
            final IntVector m2 = IntVector.fromArray(S, w, 2 * LANES);
            final IntVector m3 = IntVector.fromArray(S, w, 3 * LANES);
            final IntVector m4 = IntVector.fromArray(S, w, 4 * LANES);
            final IntVector m5 = IntVector.fromArray(S, w, 5 * LANES);
            final IntVector m6 = IntVector.fromArray(S, w, 6 * LANES);
            final IntVector m7 = IntVector.fromArray(S, w, 7 * LANES);
            final IntVector m8 = IntVector.fromArray(S, w, 8 * LANES);
            final IntVector m9 = IntVector.fromArray(S, w, 9 * LANES);
            final IntVector m10 = IntVector.fromArray(S, w, 10 * LANES);
            final IntVector m11 = IntVector.fromArray(S, w, 11 * LANES);
            final IntVector m12 = IntVector.fromArray(S, w, 12 * LANES);
            final IntVector m13 = IntVector.fromArray(S, w, 13 * LANES);
            final IntVector m14 = IntVector.fromArray(S, w, 14 * LANES);
            final IntVector m15 = IntVector.fromArray(S, w, 15 * LANES);
            final int blockFlags = flags | (block == 0 ? CHUNK_START : 0) | (block == 15 ? CHUNK_END : 0);
            IntVector v0 = h0;
            IntVector v1 = h1;
            IntVector v2 = h2;
            IntVector v3 = h3;
            IntVector v4 = h4;
            IntVector v5 = h5;
            IntVector v6 = h6;
            IntVector v7 = h7;
            IntVector v8 = IntVector.broadcast(S, 0x6A09E667);
            IntVector v9 = IntVector.broadcast(S, 0xBB67AE85);
            IntVector v10 = IntVector.broadcast(S, 0x3C6EF372);
            IntVector v11 = IntVector.broadcast(S, 0xA54FF53A);
            IntVector v12 = counterLow;
            IntVector v13 = counterHigh;
            IntVector v14 = blockLen;
            IntVector v15 = IntVector.broadcast(S, blockFlags);
            // round 0
            v0 = v0.add(v4).add(m0); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
            v0 = v0.add(v4).add(m1); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
            v1 = v1.add(v5).add(m2); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
            v1 = v1.add(v5).add(m3); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
            v2 = v2.add(v6).add(m4); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
            v2 = v2.add(v6).add(m5); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
            v3 = v3.add(v7).add(m6); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
            v3 = v3.add(v7).add(m7); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
            v0 = v0.add(v5).add(m8); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
            v0 = v0.add(v5).add(m9); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
            v1 = v1.add(v6).add(m10); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
            v1 = v1.add(v6).add(m11); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
            v2 = v2.add(v7).add(m12); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
            v2 = v2.add(v7).add(m13); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
            v3 = v3.add(v4).add(m14); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
            v3 = v3.add(v4).add(m15); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
            // round 1
            v0 = v0.add(v4).add(m2); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
            v0 = v0.add(v4).add(m6); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
            v1 = v1.add(v5).add(m3); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
            v1 = v1.add(v5).add(m10); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
            v2 = v2.add(v6).add(m7); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
            v2 = v2.add(v6).add(m0); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
            v3 = v3.add(v7).add(m4); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
            v3 = v3.add(v7).add(m13); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
            v0 = v0.add(v5).add(m1); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
            v0 = v0.add(v5).add(m11); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
            v1 = v1.add(v6).add(m12); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
            v1 = v1.add(v6).add(m5); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
            v2 = v2.add(v7).add(m9); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
            v2 = v2.add(v7).add(m14); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
            v3 = v3.add(v4).add(m15); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
            v3 = v3.add(v4).add(m8); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
            // round 2
            v0 = v0.add(v4).add(m3); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
            v0 = v0.add(v4).add(m4); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
            v1 = v1.add(v5).add(m10); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
            v1 = v1.add(v5).add(m12); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
            v2 = v2.add(v6).add(m13); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
            v2 = v2.add(v6).add(m2); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
            v3 = v3.add(v7).add(m7); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
            v3 = v3.add(v7).add(m14); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
            v0 = v0.add(v5).add(m6); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
            v0 = v0.add(v5).add(m5); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
            v1 = v1.add(v6).add(m9); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
            v1 = v1.add(v6).add(m0); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
            v2 = v2.add(v7).add(m11); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
            v2 = v2.add(v7).add(m15); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
            v3 = v3.add(v4).add(m8); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
            v3 = v3.add(v4).add(m1); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
            // round 3
            v0 = v0.add(v4).add(m10); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
            v0 = v0.add(v4).add(m7); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
            v1 = v1.add(v5).add(m12); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
            v1 = v1.add(v5).add(m9); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
            v2 = v2.add(v6).add(m14); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
            v2 = v2.add(v6).add(m3); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
            v3 = v3.add(v7).add(m13); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
            v3 = v3.add(v7).add(m15); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
            v0 = v0.add(v5).add(m4); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
            v0 = v0.add(v5).add(m0); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
            v1 = v1.add(v6).add(m11); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
            v1 = v1.add(v6).add(m2); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
            v2 = v2.add(v7).add(m5); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
            v2 = v2.add(v7).add(m8); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
            v3 = v3.add(v4).add(m1); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
            v3 = v3.add(v4).add(m6); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
            // round 4
            v0 = v0.add(v4).add(m12); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
            v0 = v0.add(v4).add(m13); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
            v1 = v1.add(v5).add(m9); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
            v1 = v1.add(v5).add(m11); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
            v2 = v2.add(v6).add(m15); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
            v2 = v2.add(v6).add(m10); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
            v3 = v3.add(v7).add(m14); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
            v3 = v3.add(v7).add(m8); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
            v0 = v0.add(v5).add(m7); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
            v0 = v0.add(v5).add(m2); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
            v1 = v1.add(v6).add(m5); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
            v1 = v1.add(v6).add(m3); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
            v2 = v2.add(v7).add(m0); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
            v2 = v2.add(v7).add(m1); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
            v3 = v3.add(v4).add(m6); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
            v3 = v3.add(v4).add(m4); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
            // round 5
            v0 = v0.add(v4).add(m9); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
            v0 = v0.add(v4).add(m14); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
            v1 = v1.add(v5).add(m11); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
            v1 = v1.add(v5).add(m5); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
            v2 = v2.add(v6).add(m8); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
            v2 = v2.add(v6).add(m12); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
            v3 = v3.add(v7).add(m15); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
            v3 = v3.add(v7).add(m1); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
            v0 = v0.add(v5).add(m13); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
            v0 = v0.add(v5).add(m3); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
            v1 = v1.add(v6).add(m0); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
            v1 = v1.add(v6).add(m10); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
            v2 = v2.add(v7).add(m2); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
            v2 = v2.add(v7).add(m6); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
            v3 = v3.add(v4).add(m4); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
            v3 = v3.add(v4).add(m7); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
            // round 6
            v0 = v0.add(v4).add(m11); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
            v0 = v0.add(v4).add(m15); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8);
            v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
            v1 = v1.add(v5).add(m5); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
            v1 = v1.add(v5).add(m0); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8);
            v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
            v2 = v2.add(v6).add(m1); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
            v2 = v2.add(v6).add(m9); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8);
            v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
            v3 = v3.add(v7).add(m8); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
            v3 = v3.add(v7).add(m6); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8);
            v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
            v0 = v0.add(v5).add(m14); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
            v0 = v0.add(v5).add(m10); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8);
            v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
            v1 = v1.add(v6).add(m2); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
            v1 = v1.add(v6).add(m12); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8);
            v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
            v2 = v2.add(v7).add(m3); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
            v2 = v2.add(v7).add(m4); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8);
            v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
            v3 = v3.add(v4).add(m7); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
            v3 = v3.add(v4).add(m13); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8);
            v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
            h0 = v0.lanewise(XOR, v8);
            h1 = v1.lanewise(XOR, v9);
            h2 = v2.lanewise(XOR, v10);
            h3 = v3.lanewise(XOR, v11);
            h4 = v4.lanewise(XOR, v12);
            h5 = v5.lanewise(XOR, v13);
            h6 = v6.lanewise(XOR, v14);
            h7 = v7.lanewise(XOR, v15);
        }
        // Transpose back: chunk l's chaining value is lane l of h0..h7.
        scatter(h0, cvs, 0);
        scatter(h1, cvs, 1);
        scatter(h2, cvs, 2);
        scatter(h3, cvs, 3);
        scatter(h4, cvs, 4);
        scatter(h5, cvs, 5);
        scatter(h6, cvs, 6);
        scatter(h7, cvs, 7);
    }

    private void scatter(IntVector h, int[] cvs, int word) {
        h.intoArray(lanes, 0);
        for (int l = 0; l < LANES; l++) {
            cvs[8 * l + word] = lanes[l];
        }
    }
}
