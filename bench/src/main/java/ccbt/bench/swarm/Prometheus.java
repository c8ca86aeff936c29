package ccbt.bench.swarm;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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

    private static final int TIMEOUT_MILLIS = 1000;

    private Prometheus() {
    }

    /**
     * Fetches {@code http://HOST:PORT/metrics}; empty when nothing answers (process not up yet or gone). A plain
     * HTTP/1.0 exchange on a socket: {@code java.net.http.HttpClient}'s first request costs seconds of set-up on a
     * busy machine, long enough to miss a short run entirely.
     */
    public static Optional<String> scrape(final String hostPort) {
        final int colon = hostPort.lastIndexOf(':');
        final String host = hostPort.substring(0, colon);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1))), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            final OutputStream out = socket.getOutputStream();
            out.write(("GET /metrics HTTP/1.0\r\nHost: " + hostPort + "\r\nAccept: text/plain\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            final int headerEnd = response.indexOf("\r\n\r\n");
            if (headerEnd < 0 || !response.startsWith("HTTP/1.") || !response.substring(9, 12).equals("200")) {
                return Optional.empty();
            }
            final String headers = response.substring(0, headerEnd).toLowerCase(java.util.Locale.ROOT);
            final String body = response.substring(headerEnd + 4);
            return Optional.of(headers.contains("transfer-encoding: chunked") ? unchunk(body) : body);
        } catch (final IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Decodes a chunked body (servers may answer HTTP/1.0 requests with it all the same). */
    static String unchunk(final String body) {
        final StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < body.length()) {
            final int lineEnd = body.indexOf("\r\n", i);
            if (lineEnd < 0) {
                break;
            }
            final String sizeText = body.substring(i, lineEnd).split(";")[0].strip();
            final int size = Integer.parseInt(sizeText, 16);
            if (size == 0) {
                break;
            }
            out.append(body, lineEnd + 2, Math.min(body.length(), lineEnd + 2 + size));
            i = lineEnd + 2 + size + 2;
        }
        return out.toString();
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
