package ccbt.xet.format;

/**
 * Xet's byte grouping ("BG4"): byte {@code i} of the input goes to group {@code i % 4}, and the groups are
 * concatenated in order. With n bytes, group g holds {@code n / 4 + (g < n % 4 ? 1 : 0)} bytes. Grouping
 * the bytes of 32-bit values (floats of model weights) by position makes them compress better.
 */
public final class ByteGrouping4 {
    private ByteGrouping4() {
    }

    /** Writes the grouped form of {@code src[srcOff, srcOff + n)} to {@code dst[dstOff, dstOff + n)}. */
    public static void split(byte[] src, int srcOff, int n, byte[] dst, int dstOff) {
        int at = dstOff;
        for (int g = 0; g < 4; g++) {
            for (int i = srcOff + g; i < srcOff + n; i += 4) {
                dst[at++] = src[i];
            }
        }
    }

    /** Inverse of {@link #split}: restores the original order. */
    public static void regroup(byte[] src, int srcOff, int n, byte[] dst, int dstOff) {
        int at = srcOff;
        for (int g = 0; g < 4; g++) {
            for (int i = dstOff + g; i < dstOff + n; i += 4) {
                dst[i] = src[at++];
            }
        }
    }

    /**
     * xet-core's heuristic for choosing BG4 ({@code BG4Predictor} in cas_object/src/compression_scheme.rs):
     * histograms of the bit counts of the bytes in each of the 4 positions; BG4 is recommended when the
     * largest KL divergence of a position's histogram from the overall one exceeds 0.02.
     */
    public static boolean recommended(byte[] data, int offset, int length) {
        final int[][] histograms = new int[4][9];
        for (int i = 0; i < length; i++) {
            histograms[i & 3][Integer.bitCount(data[offset + i] & 0xFF)]++;
        }
        final long[] base = new long[9];
        final long[] totals = new long[4];
        java.util.Arrays.fill(base, 1);
        for (int g = 0; g < 4; g++) {
            for (int j = 0; j < 9; j++) {
                base[j] += histograms[g][j];
                totals[g] += histograms[g][j];
            }
        }
        final long baseTotal = totals[0] + totals[1] + totals[2] + totals[3];
        double maxDivergence = 0;
        for (int g = 0; g < 4; g++) {
            double divergence = 0;
            for (int j = 0; j < 9; j++) {
                final double p = histograms[g][j] / (double) totals[g];
                final double q = base[j] / (double) baseTotal;
                divergence += p * Math.log(p / q);
            }
            // As in xet-core, where f64::max ignores NaN: a position with an empty histogram bin gives
            // 0 * ln(0) = NaN and so takes no part in the decision.
            if (!Double.isNaN(divergence)) {
                maxDivergence = Math.max(maxDivergence, divergence);
            }
        }
        return maxDivergence > 0.02;
    }
}
