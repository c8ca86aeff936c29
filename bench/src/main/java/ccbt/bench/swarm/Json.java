package ccbt.bench.swarm;

import java.util.List;
import java.util.Map;

/** A small JSON writer for the report's maps, lists, strings, numbers and booleans (nothing else is needed). */
public final class Json {
    private Json() {
    }

    /** Writes {@code value} as indented JSON. */
    public static String write(final Object value) {
        final StringBuilder out = new StringBuilder();
        write(out, value, 0);
        return out.append('\n').toString();
    }

    private static void write(final StringBuilder out, final Object value, final int depth) {
        switch (value) {
            case null -> out.append("null");
            case String s -> string(out, s);
            case Boolean b -> out.append(b);
            case Double d -> number(out, d);
            case Float f -> number(out, f.doubleValue());
            case Number n -> out.append(n.longValue());
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append('{');
                boolean first = true;
                for (final Map.Entry<?, ?> e : map.entrySet()) {
                    out.append(first ? "\n" : ",\n");
                    first = false;
                    indent(out, depth + 1);
                    string(out, String.valueOf(e.getKey()));
                    out.append(": ");
                    write(out, e.getValue(), depth + 1);
                }
                out.append('\n');
                indent(out, depth);
                out.append('}');
            }
            case List<?> list -> {
                // short lists of numbers (time series points) stay on one line
                final boolean flat = list.stream().allMatch(v -> v instanceof Number);
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        out.append(flat ? ", " : ",");
                    }
                    if (!flat) {
                        out.append('\n');
                        indent(out, depth + 1);
                    }
                    write(out, list.get(i), depth + 1);
                }
                if (!flat && !list.isEmpty()) {
                    out.append('\n');
                    indent(out, depth);
                }
                out.append(']');
            }
            default -> throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
        }
    }

    private static void number(final StringBuilder out, final double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            out.append("null"); // JSON has no NaN/Infinity
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.append((long) d);
        } else {
            out.append(Double.toString(d)); // shortest round-trip form; "1.0E-4" is valid JSON
        }
    }

    private static void string(final StringBuilder out, final String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void indent(final StringBuilder out, final int depth) {
        out.append("  ".repeat(depth));
    }
}
