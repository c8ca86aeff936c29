package ccbt.bench.swarm;

import java.util.List;
import java.util.Locale;

/**
 * A small SVG writer for the benchmark chart: line charts (throughput over time) and bar charts (ratios), with axes,
 * ticks and legends. Plain SVG 1.1 that browsers and GitHub render without scripts or fonts of their own.
 */
public final class Svg {
    /** One line of a line chart: its name, colour and {x, y} points. */
    public record Line(String name, String color, List<double[]> points) {
    }

    /** One bar: label, value, colour. */
    public record Bar(String label, double value, String color) {
    }

    private final StringBuilder body = new StringBuilder();
    private final int width;
    private final int height;

    /** A drawing of {@code width} × {@code height} pixels. */
    public Svg(final int width, final int height) {
        this.width = width;
        this.height = height;
    }

    /** The finished document. */
    public String document() {
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height
            + "\" viewBox=\"0 0 " + width + " " + height + "\" font-family=\"sans-serif\" font-size=\"11\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body + "</svg>\n";
    }

    /** Text at (x, y); {@code anchor} is start, middle or end. */
    public Svg text(final double x, final double y, final String text, final String anchor, final int size,
                    final String weight) {
        body.append(String.format(Locale.ROOT,
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" font-weight=\"%s\">%s</text>%n", x, y,
            anchor, size, weight, escape(text)));
        return this;
    }

    /** A straight line. */
    public Svg segment(final double x1, final double y1, final double x2, final double y2, final String color,
                       final String dash) {
        body.append(String.format(Locale.ROOT,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>%n", x1, y1, x2, y2, color,
            dash == null ? "" : " stroke-dasharray=\"" + dash + "\""));
        return this;
    }

    /** A filled rectangle. */
    public Svg rect(final double x, final double y, final double w, final double h, final String fill) {
        body.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
            x, y, Math.max(0, w), Math.max(0, h), fill));
        return this;
    }

    /**
     * A line chart in the box (x, y, w, h): axes from 0 to the data's maxima with round ticks, one polyline per line,
     * and a legend.
     */
    public Svg lineChart(final double x, final double y, final double w, final double h, final String title,
                         final String xLabel, final String yLabel, final List<Line> lines) {
        final double left = x + 48;
        final double top = y + 22;
        final double plotW = w - 60;
        final double plotH = h - 58;
        text(x + w / 2, y + 14, title, "middle", 12, "bold");
        double maxX = 0;
        double maxY = 0;
        for (final Line l : lines) {
            for (final double[] p : l.points()) {
                if (Double.isFinite(p[0]) && Double.isFinite(p[1])) {
                    maxX = Math.max(maxX, p[0]);
                    maxY = Math.max(maxY, p[1]);
                }
            }
        }
        final double stepX = niceStep(maxX);
        final double stepY = niceStep(maxY);
        maxX = Math.max(stepX, Math.ceil(maxX / stepX) * stepX);
        maxY = Math.max(stepY, Math.ceil(maxY / stepY) * stepY);
        for (double v = 0; v <= maxY + stepY / 2; v += stepY) {
            final double py = top + plotH - v / maxY * plotH;
            segment(left, py, left + plotW, py, "#e4e4e4", null);
            text(left - 4, py + 4, tick(v), "end", 10, "normal");
        }
        for (double v = 0; v <= maxX + stepX / 2; v += stepX) {
            final double px = left + v / maxX * plotW;
            segment(px, top + plotH, px, top + plotH + 4, "#444", null);
            text(px, top + plotH + 15, tick(v), "middle", 10, "normal");
        }
        segment(left, top, left, top + plotH, "#444", null);
        segment(left, top + plotH, left + plotW, top + plotH, "#444", null);
        text(left + plotW / 2, top + plotH + 30, xLabel, "middle", 10, "normal");
        body.append(String.format(Locale.ROOT,
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" transform=\"rotate(-90 %.1f %.1f)\">%s</text>%n",
            x + 10, top + plotH / 2, x + 10, top + plotH / 2, escape(yLabel)));
        double legendX = left + 6;
        for (final Line l : lines) {
            final StringBuilder pts = new StringBuilder();
            for (final double[] p : l.points()) {
                if (Double.isFinite(p[0]) && Double.isFinite(p[1])) {
                    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + p[0] / maxX * plotW,
                        top + plotH - p[1] / maxY * plotH));
                }
            }
            body.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(l.color()).append("\" points=\"")
                .append(pts.toString().strip()).append("\"/>\n");
            rect(legendX, top + 4, 10, 10, l.color());
            text(legendX + 14, top + 13, l.name(), "start", 10, "normal");
            legendX += 18 + 6.2 * l.name().length();
        }
        return this;
    }

    /** A horizontal bar chart in the box (x, y, w, h) with a dashed reference line at {@code mark}. */
    public Svg barChart(final double x, final double y, final double w, final double h, final String title,
                        final List<Bar> bars, final double mark, final String markLabel) {
        text(x + w / 2, y + 14, title, "middle", 12, "bold");
        final double left = x + 130;
        final double plotW = w - 170;
        final double top = y + 26;
        double max = mark;
        for (final Bar b : bars) {
            if (Double.isFinite(b.value())) {
                max = Math.max(max, b.value());
            }
        }
        max *= 1.1;
        final double rowH = Math.min(26, (h - 40) / Math.max(1, bars.size()));
        for (int i = 0; i < bars.size(); i++) {
            final Bar b = bars.get(i);
            final double ry = top + i * rowH;
            text(left - 6, ry + rowH * 0.65, b.label(), "end", 10, "normal");
            if (Double.isFinite(b.value())) {
                rect(left, ry + 3, b.value() / max * plotW, rowH - 6, b.color());
                text(left + b.value() / max * plotW + 4, ry + rowH * 0.65,
                    String.format(Locale.ROOT, "%.2f×", b.value()), "start", 10, "normal");
            } else {
                text(left + 4, ry + rowH * 0.65, "no result", "start", 10, "normal");
            }
        }
        final double mx = left + mark / max * plotW;
        segment(mx, top - 4, mx, top + bars.size() * rowH, "#333", "4 3");
        text(mx, top + bars.size() * rowH + 12, markLabel, "middle", 10, "normal");
        return this;
    }

    /** A round tick step (1, 2 or 5 × 10^n) giving about five ticks up to {@code max}. */
    static double niceStep(final double max) {
        if (!(max > 0) || !Double.isFinite(max)) {
            return 1;
        }
        final double raw = max / 5;
        final double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        final double f = raw / magnitude;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
    }

    private static String tick(final double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2g", v);
    }

    static String escape(final String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
