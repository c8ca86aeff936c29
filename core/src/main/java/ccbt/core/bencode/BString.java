package ccbt.core.bencode;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/** A bencode byte string. Immutable; equality and ordering are by raw bytes (unsigned). */
public final class BString implements BValue, Comparable<BString> {
    private final byte[] bytes;

    private BString(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The UTF-8 encoding of {@code utf8}. */
    public static BString of(String utf8) {
        return new BString(utf8.getBytes(StandardCharsets.UTF_8));
    }

    /** A copy of {@code bytes}. */
    public static BString of(byte[] bytes) {
        return new BString(bytes.clone());
    }

    /** Takes ownership of {@code bytes} without copying; for the decoder, which allocated them. */
    static BString wrap(byte[] bytes) {
        return new BString(bytes);
    }

    /** A copy of the raw bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The number of bytes. */
    public int length() {
        return bytes.length;
    }

    /** The byte at {@code index}. */
    public byte byteAt(int index) {
        return bytes[index];
    }

    /** Copies the bytes into {@code dst} at {@code offset}. */
    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(bytes, 0, dst, offset, bytes.length);
    }

    /** The bytes decoded as strict UTF-8; throws {@link BencodeException} if they are not valid UTF-8. */
    public String utf8() {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BencodeException("string is not valid UTF-8: " + this);
        }
    }

    /** Whether the bytes are valid UTF-8. */
    public boolean isUtf8() {
        try {
            utf8();
            return true;
        } catch (BencodeException e) {
            return false;
        }
    }

    /** The bytes as ISO-8859-1, one char per byte; never fails. */
    public String latin1() {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    void writeTo(java.io.ByteArrayOutputStream out) {
        out.writeBytes(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        out.write(':');
        out.writeBytes(bytes);
    }

    @Override
    public int compareTo(BString other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BString other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Printable text if the bytes are short printable ASCII, else a hex (prefix) rendering; for messages. */
    @Override
    public String toString() {
        boolean printable = bytes.length <= 200;
        for (int i = 0; printable && i < bytes.length; i++) {
            printable = bytes[i] >= 0x20 && bytes[i] < 0x7f;
        }
        if (printable) {
            return "'" + latin1() + "'";
        }
        int shown = Math.min(bytes.length, 32);
        return "0x" + HexFormat.of().formatHex(bytes, 0, shown) + (shown < bytes.length ? "...(" + bytes.length + " bytes)" : "");
    }
}
