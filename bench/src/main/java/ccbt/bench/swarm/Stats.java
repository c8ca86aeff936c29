package ccbt.bench.swarm;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Minimum, median and maximum of a figure over the successful repetitions.
 *
 * @param min    smallest
 * @param median middle (mean of the two middle values for an even count)
 * @param max    largest
 * @param count  how many finite values there were (the figures are NaN when 0)
 */
public record Stats(double min, double median, double max, int count) {
    /** The statistics of {@code figure} over {@code trials}. */
    public static Stats of(final List<Trial> trials, final ToDoubleFunction<Trial> figure) {
        return of(trials.stream().mapToDouble(figure).toArray());
    }

    /** The statistics of plain values; NaN and infinite values are left out. */
    public static Stats of(final double... values) {
        final double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        if (v.length == 0) {
            return new Stats(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        final double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return new Stats(v[0], median, v[v.length - 1], v.length);
    }
}
