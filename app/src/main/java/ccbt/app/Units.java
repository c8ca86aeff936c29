package ccbt.app;

/** Human-readable sizes, rates and durations for the command line. */
final class Units {
    private Units() {
    }

    static String bytes(final double n) {
        final String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? String.format("%.0f %s", v, units[u]) : String.format("%.1f %s", v, units[u]);
    }

    static String rate(final double bytesPerSecond) {
        return bytes(bytesPerSecond) + "/s";
    }

    static String duration(final long seconds) {
        if (seconds < 0) {
            return "--:--";
        }
        return seconds >= 3600 ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
            : String.format("%02d:%02d", seconds / 60, seconds % 60);
    }

    /** Parses sizes such as {@code 256KiB}, {@code 1MiB}, {@code 48k}, {@code 1GiB} or a plain number. */
    static long parseSize(final String text) {
        final String s = text.trim().toLowerCase(java.util.Locale.ROOT);
        int end = s.length();
        while (end > 0 && !Character.isDigit(s.charAt(end - 1))) {
            end--;
        }
        if (end == 0) {
            throw new IllegalArgumentException("not a size: " + text);
        }
        final long n = Long.parseLong(s.substring(0, end));
        final String unit = s.substring(end);
        final long factor = switch (unit) {
            case "", "b" -> 1;
            case "k", "kb", "kib" -> 1L << 10;
            case "m", "mb", "mib" -> 1L << 20;
            case "g", "gb", "gib" -> 1L << 30;
            default -> throw new IllegalArgumentException("unknown size unit in " + text);
        };
        return Math.multiplyExact(n, factor);
    }
}
