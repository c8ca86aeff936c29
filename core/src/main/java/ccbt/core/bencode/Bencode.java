package ccbt.core.bencode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Strict bencode: decoding accepts only the canonical encoding (so that {@code encode(decode(x))} equals
 * {@code x}), checks every length against the input and the {@link BencodeLimits} before allocating, and
 * reports the byte offset of the first error.
 */
public final class Bencode {
    private Bencode() {}

    /** Decodes one value filling all of {@code data}, with {@link BencodeLimits#DEFAULT}. */
    public static BValue decode(byte[] data) {
        return decode(data, BencodeLimits.DEFAULT);
    }

    /** Decodes one value filling all of {@code data}; throws {@link BencodeException} on any malformation. */
    public static BValue decode(byte[] data, BencodeLimits limits) {
        return new Decoder(data, limits).decode();
    }

    /** Decodes {@code data}, which must hold exactly one dictionary. */
    public static BDict decodeDict(byte[] data, BencodeLimits limits) {
        if (data.length > 0 && data[0] != 'd') {
            throw new BencodeException("top-level value must be a dictionary, found '" + printable(data[0]) + "'", 0);
        }
        return (BDict) decode(data, limits);
    }

    /** The canonical encoding of {@code value} (dictionary keys in ascending raw byte order). */
    public static byte[] encode(BValue value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        write(value, out);
        return out.toByteArray();
    }

    private static void write(BValue value, ByteArrayOutputStream out) {
        switch (value) {
            case BInt i -> {
                out.write('i');
                out.writeBytes(Long.toString(i.value()).getBytes(StandardCharsets.US_ASCII));
                out.write('e');
            }
            case BString s -> s.writeTo(out);
            case BList l -> {
                out.write('l');
                for (BValue item : l.items()) {
                    write(item, out);
                }
                out.write('e');
            }
            case BDict d -> {
                out.write('d');
                // entries are kept sorted by raw key bytes, both when decoded and when built
                for (Map.Entry<BString, BValue> e : d.entries().entrySet()) {
                    e.getKey().writeTo(out);
                    write(e.getValue(), out);
                }
                out.write('e');
            }
        }
    }

    static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }

    /** An iterative decoder: nesting lives in an explicit stack bounded by {@code maxDepth}, not in the call stack. */
    private static final class Decoder {
        private final byte[] data;
        private final BencodeLimits limits;
        private final ArrayDeque<Frame> stack = new ArrayDeque<>();
        private int pos;
        private long items;

        Decoder(byte[] data, BencodeLimits limits) {
            this.data = data;
            this.limits = limits;
        }

        BValue decode() {
            if (data.length > limits.maxTotalBytes()) {
                throw new BencodeException("input of " + data.length + " bytes exceeds the limit of "
                        + limits.maxTotalBytes(), 0);
            }
            while (true) {
                if (pos >= data.length) {
                    throw new BencodeException(stack.isEmpty() ? "empty input" : "truncated input, unterminated "
                            + stack.peek().kind() + " started at offset " + stack.peek().start, pos);
                }
                Frame top = stack.peek();
                byte c = data[pos];
                BValue done;
                if (top != null && c == 'e') {
                    pos++;
                    done = top.finish(pos);
                    stack.pop();
                } else if (top instanceof DictFrame d && d.pendingKey == null) {
                    if (c < '0' || c > '9') {
                        throw new BencodeException("dictionary key must be a byte string, found '" + printable(c) + "'", pos);
                    }
                    int keyStart = pos;
                    BString key = readString();
                    if (d.lastKey != null && key.compareTo(d.lastKey) <= 0) {
                        throw new BencodeException((key.equals(d.lastKey) ? "duplicate dictionary key " : "unsorted dictionary key ")
                                + key + " after " + d.lastKey, keyStart);
                    }
                    d.pendingKey = key;
                    continue;
                } else {
                    done = readValueOrOpen(c);
                    if (done == null) {
                        continue; // a container was opened
                    }
                }
                if (stack.isEmpty()) {
                    if (pos != data.length) {
                        throw new BencodeException("trailing data after the top-level value ("
                                + (data.length - pos) + " bytes)", pos);
                    }
                    return done;
                }
                stack.peek().add(done);
            }
        }

        /** Reads a scalar, or opens a container and returns null. */
        private BValue readValueOrOpen(byte c) {
            countItem();
            if (c == 'i') {
                return readInteger();
            } else if (c >= '0' && c <= '9') {
                return readString();
            } else if (c == 'l' || c == 'd') {
                if (stack.size() >= limits.maxDepth()) {
                    throw new BencodeException("nesting deeper than " + limits.maxDepth(), pos);
                }
                stack.push(c == 'l' ? new ListFrame(pos) : new DictFrame(pos));
                pos++;
                return null;
            } else if (c == 'e') {
                throw new BencodeException("unexpected 'e' outside any list or dictionary", pos);
            }
            throw new BencodeException("unexpected byte '" + printable(c) + "'", pos);
        }

        private void countItem() {
            if (++items > limits.maxItems()) {
                throw new BencodeException("more than " + limits.maxItems() + " values", pos);
            }
        }

        private BInt readInteger() {
            final int start = pos;
            int p = pos + 1;
            boolean negative = p < data.length && data[p] == '-';
            if (negative) {
                p++;
            }
            final int digitsStart = p;
            long value = 0; // accumulated negatively so that Long.MIN_VALUE fits
            while (p < data.length && data[p] >= '0' && data[p] <= '9') {
                int digit = data[p] - '0';
                if (value < (Long.MIN_VALUE + digit) / 10) {
                    throw new BencodeException("integer does not fit in 64 bits", start);
                }
                value = value * 10 - digit;
                p++;
            }
            if (p >= data.length) {
                throw new BencodeException("truncated integer started at offset " + start, p);
            }
            if (data[p] != 'e') {
                throw new BencodeException("invalid byte '" + printable(data[p]) + "' in integer", p);
            }
            int digits = p - digitsStart;
            if (digits == 0) {
                throw new BencodeException("empty integer", start);
            }
            if (data[digitsStart] == '0' && digits > 1) {
                throw new BencodeException("leading zero in integer", start);
            }
            if (negative && value == 0) {
                throw new BencodeException("negative zero integer", start);
            }
            if (!negative && value == Long.MIN_VALUE) {
                throw new BencodeException("integer does not fit in 64 bits", start);
            }
            pos = p + 1;
            return new BInt(negative ? value : -value);
        }

        private BString readString() {
            final int start = pos;
            int p = pos;
            long length = 0;
            while (p < data.length && data[p] >= '0' && data[p] <= '9') {
                if (length > (Long.MAX_VALUE - 9) / 10) {
                    throw new BencodeException("string length does not fit in 64 bits", start);
                }
                length = length * 10 + (data[p] - '0');
                p++;
            }
            if (p >= data.length) {
                throw new BencodeException("truncated string length started at offset " + start, p);
            }
            if (data[p] != ':') {
                throw new BencodeException("invalid byte '" + printable(data[p]) + "' in string length", p);
            }
            if (data[start] == '0' && p - start > 1) {
                throw new BencodeException("leading zero in string length", start);
            }
            if (length > limits.maxStringLength()) {
                throw new BencodeException("string of " + length + " bytes exceeds the limit of "
                        + limits.maxStringLength(), start);
            }
            int bodyStart = p + 1;
            if (length > data.length - bodyStart) {
                throw new BencodeException("string of " + length + " bytes is truncated, only "
                        + (data.length - bodyStart) + " bytes remain", start);
            }
            pos = bodyStart + (int) length;
            return BString.wrap(Arrays.copyOfRange(data, bodyStart, pos));
        }
    }

    private abstract static sealed class Frame permits ListFrame, DictFrame {
        final int start;

        Frame(int start) {
            this.start = start;
        }

        abstract void add(BValue value);

        /** Builds the value; {@code end} is the offset just past its closing 'e'. */
        abstract BValue finish(int end);

        abstract String kind();
    }

    private static final class ListFrame extends Frame {
        private final ArrayList<BValue> items = new ArrayList<>();

        ListFrame(int start) {
            super(start);
        }

        @Override
        void add(BValue value) {
            items.add(value);
        }

        @Override
        BValue finish(int end) {
            return new BList(items);
        }

        @Override
        String kind() {
            return "list";
        }
    }

    private static final class DictFrame extends Frame {
        private final LinkedHashMap<BString, BValue> entries = new LinkedHashMap<>();
        BString lastKey;
        BString pendingKey;

        DictFrame(int start) {
            super(start);
        }

        @Override
        void add(BValue value) {
            entries.put(pendingKey, value);
            lastKey = pendingKey;
            pendingKey = null;
        }

        @Override
        BValue finish(int end) {
            if (pendingKey != null) {
                throw new BencodeException("dictionary key " + pendingKey + " has no value", end - 1);
            }
            return new BDict(entries, start, end);
        }

        @Override
        String kind() {
            return "dictionary";
        }
    }
}
