package ccbt.peers;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Just enough bencode (BEP 3) to find where a top-level dictionary value starts and ends, so the harness can
 * hash a torrent's info dictionary without depending on ccbt's own codec (which the interop tests check).
 */
final class MiniBencode {
    private MiniBencode() {
    }

    /** {start, end} of the value stored under {@code key} in the top-level dictionary of {@code data}. */
    static int[] valueSpan(final byte[] data, final String key) {
        if (data.length == 0 || data[0] != 'd') {
            throw new IllegalArgumentException("not a bencoded dictionary (first byte "
                + (data.length == 0 ? "missing" : Integer.toString(data[0] & 0xff)) + ")");
        }
        final byte[] wanted = key.getBytes(StandardCharsets.UTF_8);
        int pos = 1;
        while (pos < data.length && data[pos] != 'e') {
            final int keyEnd = skip(data, pos);
            final int colon = indexOf(data, (byte) ':', pos);
            final byte[] k = Arrays.copyOfRange(data, colon + 1, keyEnd);
            final int valueEnd = skip(data, keyEnd);
            if (Arrays.equals(k, wanted)) {
                return new int[] {keyEnd, valueEnd};
            }
            pos = valueEnd;
        }
        throw new IllegalArgumentException("no key '" + key + "' in the top-level dictionary");
    }

    /** Index just past the bencoded value that starts at {@code pos}. */
    private static int skip(final byte[] data, final int pos) {
        if (pos >= data.length) {
            throw new IllegalArgumentException("truncated bencode at offset " + pos);
        }
        final byte b = data[pos];
        if (b == 'i') {
            return indexOf(data, (byte) 'e', pos) + 1;
        }
        if (b == 'l' || b == 'd') {
            int p = pos + 1;
            while (p < data.length && data[p] != 'e') {
                p = skip(data, p);
            }
            if (p >= data.length) {
                throw new IllegalArgumentException("unterminated list or dictionary at offset " + pos);
            }
            return p + 1;
        }
        if (b >= '0' && b <= '9') {
            final int colon = indexOf(data, (byte) ':', pos);
            final long len = Long.parseLong(new String(data, pos, colon - pos, StandardCharsets.US_ASCII));
            if (len > data.length - colon - 1) {
                throw new IllegalArgumentException("string length " + len + " at offset " + pos + " runs past the end");
            }
            return colon + 1 + (int) len;
        }
        throw new IllegalArgumentException("unexpected byte " + (b & 0xff) + " at offset " + pos);
    }

    private static int indexOf(final byte[] data, final byte b, final int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        throw new IllegalArgumentException("missing '" + (char) b + "' after offset " + from);
    }
}
