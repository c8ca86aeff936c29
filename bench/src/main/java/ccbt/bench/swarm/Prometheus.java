package ccbt.bench.swarm;

import ccbt.io.tracker.HttpGet;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads Prometheus text exposition (version 0.0.4) as served by ccbt's {@code --metrics} endpoint. */
public final class Prometheus {
    /** One sample line: metric name, labels in order, value. */
    public record Sample(String name, Map<String, String> labels, double value) {
        /** The value of a label, or null. */
        public String label(final String key) {
            return labels.get(key);
        }
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** A whole exchange, at most: a second to connect and one for a silent endpoint, as the socket's time-outs gave. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final int MAX_PAGE_BYTES = 16 << 20;
    private static final HttpGet HTTP = new HttpGet(CONNECT_TIMEOUT, REQUEST_TIMEOUT, MAX_PAGE_BYTES, "ccbt-bench");

    private Prometheus() {
    }

    /**
     * Fetches {@code http://HOST:PORT/metrics}; empty when nothing answers (process not up yet or gone) or the answer
     * is not a 200. Through ccbt's {@link HttpGet} (a plain socket, a few milliseconds): the JDK's HTTP client's first
     * request costs seconds of set-up on a busy machine, long enough to miss a short run entirely.
     */
    public static Optional<String> scrape(final String hostPort) {
        try {
            final HttpGet.Response response = HTTP.get(URI.create("http://" + hostPort + "/metrics"));
            return response.status() == 200 ? Optional.of(new String(response.body(), StandardCharsets.UTF_8))
                : Optional.empty();
        } catch (final IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Parses every sample line; comments and blank lines are skipped, a malformed line is an error naming it. */
    public static List<Sample> parse(final String text) {
        final List<Sample> out = new ArrayList<>();
        for (final String raw : text.split("\n")) {
            final String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            out.add(parseLine(line));
        }
        return out;
    }

    /** Sum of every series of {@code name} (all label sets), or -1 when the metric is absent. */
    public static double sum(final List<Sample> samples, final String name) {
        double total = 0;
        boolean found = false;
        for (final Sample s : samples) {
            if (s.name().equals(name)) {
                total += s.value();
                found = true;
            }
        }
        return found ? total : -1;
    }

    static Sample parseLine(final String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
            i++;
        }
        final String name = line.substring(0, i);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("metric line without a name: " + line);
        }
        final Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                while (i < line.length() && (line.charAt(i) == ',' || line.charAt(i) == ' ')) {
                    i++;
                }
                if (i >= line.length()) {
                    throw new IllegalArgumentException("unterminated labels in metric line: " + line);
                }
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                final int eq = line.indexOf('=', i);
                if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("malformed label in metric line: " + line);
                }
                final String key = line.substring(i, eq).strip();
                final StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; j < line.length() && line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\' && j + 1 < line.length()) {
                        c = line.charAt(++j);
                        value.append(c == 'n' ? '\n' : c);
                    } else {
                        value.append(c);
                    }
                }
                if (j >= line.length()) {
                    throw new IllegalArgumentException("unterminated label value in metric line: " + line);
                }
                labels.put(key, value.toString());
                i = j + 1;
            }
        }
        final String[] rest = line.substring(i).strip().split("\\s+");
        if (rest.length == 0 || rest[0].isEmpty()) {
            throw new IllegalArgumentException("metric line without a value: " + line);
        }
        return new Sample(name, labels, parseValue(rest[0], line));
    }

    private static double parseValue(final String text, final String line) {
        return switch (text) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                try {
                    yield Double.parseDouble(text);
                } catch (final NumberFormatException e) {
                    throw new IllegalArgumentException("bad value '" + text + "' in metric line: " + line, e);
                }
            }
        };
    }
}
