package ccbt.core.bencode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BencodeTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static BencodeException failure(String input) {
        try {
            Bencode.decode(b(input));
        } catch (BencodeException e) {
            return e;
        }
        throw new AssertionError("expected a BencodeException for " + input);
    }

    @Test
    void decodesScalarsAndContainers() {
        assertThat(Bencode.decode(b("i42e"))).isEqualTo(new BInt(42));
        assertThat(Bencode.decode(b("i-7e"))).isEqualTo(new BInt(-7));
        assertThat(Bencode.decode(b("i0e"))).isEqualTo(new BInt(0));
        assertThat(Bencode.decode(b("4:spam"))).isEqualTo(BString.of("spam"));
        assertThat(Bencode.decode(b("0:"))).isEqualTo(BString.of(""));
        assertThat(Bencode.decode(b("l4:spami1ee"))).isEqualTo(BList.of(BString.of("spam"), new BInt(1)));
        BDict d = (BDict) Bencode.decode(b("d3:cow3:moo4:spaml1:a1:bee"));
        assertThat(d.string("cow")).isEqualTo("moo");
        assertThat(d.list("spam").items()).containsExactly(BString.of("a"), BString.of("b"));
        assertThat(d.keys()).containsExactly("cow", "spam");
        assertThat(d.size()).isEqualTo(2);
    }

    @Test
    void decodesLongExtremes() {
        assertThat(Bencode.decode(b("i9223372036854775807e"))).isEqualTo(new BInt(Long.MAX_VALUE));
        assertThat(Bencode.decode(b("i-9223372036854775808e"))).isEqualTo(new BInt(Long.MIN_VALUE));
        assertThat(failure("i9223372036854775808e").getMessage()).contains("64 bits");
        assertThat(failure("i-9223372036854775809e").getMessage()).contains("64 bits");
        assertThat(failure("i99999999999999999999999e").getMessage()).contains("64 bits");
    }

    @Test
    void rejectsNonCanonicalIntegersWithOffsets() {
        assertThat(failure("li1ei03ee").getMessage()).isEqualTo("bencode: leading zero in integer at offset 4");
        assertThat(failure("li-0ee").getMessage()).isEqualTo("bencode: negative zero integer at offset 1");
        assertThat(failure("ie").getMessage()).isEqualTo("bencode: empty integer at offset 0");
        assertThat(failure("i-e").getMessage()).isEqualTo("bencode: empty integer at offset 0");
        assertThat(failure("i1x2e").getMessage()).isEqualTo("bencode: invalid byte 'x' in integer at offset 2");
        assertThat(failure("i+1e").offset()).isEqualTo(1);
        assertThat(failure("i12").getMessage()).contains("truncated integer");
    }

    @Test
    void rejectsBadStrings() {
        assertThat(failure("05:hello").getMessage()).isEqualTo("bencode: leading zero in string length at offset 0");
        assertThat(failure("l5:hel").getMessage())
                .isEqualTo("bencode: string of 5 bytes is truncated, only 3 bytes remain at offset 1");
        assertThat(failure("l1").getMessage()).isEqualTo("bencode: truncated string length started at offset 1 at offset 2");
        assertThat(failure("5").getMessage()).contains("truncated string length");
        assertThat(failure("99999999999999999999:").getMessage()).isEqualTo("bencode: string length does not fit in 64 bits at offset 0");
        assertThat(failure("5x").getMessage()).isEqualTo("bencode: invalid byte 'x' in string length at offset 1");
        BencodeLimits small = new BencodeLimits(8, 1024, 3, 100);
        assertThatThrownBy(() -> Bencode.decode(b("4:spam"), small))
                .hasMessage("bencode: string of 4 bytes exceeds the limit of 3 at offset 0");
    }

    @Test
    void rejectsStructuralErrors() {
        assertThat(failure("").getMessage()).isEqualTo("bencode: empty input at offset 0");
        assertThat(failure("i1ei2e").getMessage())
                .isEqualTo("bencode: trailing data after the top-level value (3 bytes) at offset 3");
        assertThat(failure("l i1ee").getMessage()).isEqualTo("bencode: unexpected byte ' ' at offset 1");
        assertThat(failure("e").getMessage()).contains("unexpected 'e'");
        assertThat(failure("l").getMessage()).isEqualTo("bencode: truncated input, unterminated list started at offset 0 at offset 1");
        assertThat(failure("d1:a").getMessage()).contains("truncated");
        assertThat(failure("di1ei2ee").getMessage()).isEqualTo("bencode: dictionary key must be a byte string, found 'i' at offset 1");
        assertThat(failure("d1:ae").getMessage()).isEqualTo("bencode: dictionary key 'a' has no value at offset 4");
    }

    @Test
    void rejectsUnsortedAndDuplicateKeys() {
        assertThat(failure("d1:bi1e1:ai2ee").getMessage())
                .isEqualTo("bencode: unsorted dictionary key 'a' after 'b' at offset 7");
        assertThat(failure("d1:ai1e1:ai2ee").getMessage())
                .isEqualTo("bencode: duplicate dictionary key 'a' after 'a' at offset 7");
        // raw unsigned order: 0xff sorts after 'z', and a prefix sorts first
        assertThat(Bencode.decode(b("d1:zi1e1:\u00ffi2ee"))).isInstanceOf(BDict.class);
        assertThat(Bencode.decode(b("d1:ai1e2:aai2ee"))).isInstanceOf(BDict.class);
        assertThat(failure("d1:\u00ffi1e1:zi2ee").getMessage()).contains("unsorted");
    }

    @Test
    void boundsNestingDepthWithoutRecursion() {
        BencodeLimits limits = new BencodeLimits(10, 1 << 20, 1 << 20, 1000);
        assertThat(Bencode.decode(b("l".repeat(10) + "e".repeat(10)), limits)).isInstanceOf(BList.class);
        assertThatThrownBy(() -> Bencode.decode(b("l".repeat(11) + "e".repeat(11)), limits))
                .hasMessage("bencode: nesting deeper than 10 at offset 10");
        // deep input far beyond the default depth fails cleanly, no StackOverflowError
        byte[] deep = b("l".repeat(200_000) + "e".repeat(200_000));
        assertThatThrownBy(() -> Bencode.decode(deep)).isInstanceOf(BencodeException.class).hasMessageContaining("nesting");
    }

    @Test
    void boundsItemsAndTotalSize() {
        BencodeLimits limits = new BencodeLimits(8, 64, 64, 3);
        assertThat(Bencode.decode(b("li1ei2ee"), limits)).isInstanceOf(BList.class);
        assertThatThrownBy(() -> Bencode.decode(b("li1ei2ei3ee"), limits)).hasMessage("bencode: more than 3 values at offset 7");
        assertThatThrownBy(() -> Bencode.decode(new byte[65], limits)).hasMessageContaining("exceeds the limit of 64");
        assertThat(BencodeLimits.forTracker().maxTotalBytes()).isLessThan(BencodeLimits.DEFAULT.maxTotalBytes());
    }

    @Test
    void hugeLengthPrefixFailsWithoutAllocating() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        BencodeLimits unlimitedStrings = new BencodeLimits(64, Long.MAX_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE);
        byte[] input = b("1099511627776:x");
        Bencode.decode(b("4:warm"), unlimitedStrings); // load classes before measuring
        long before = threads.getCurrentThreadAllocatedBytes();
        BencodeException e = null;
        for (int i = 0; i < 10; i++) {
            try {
                Bencode.decode(input, unlimitedStrings);
            } catch (BencodeException ex) {
                e = ex;
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(e).isNotNull();
        assertThat(e.offset()).isZero();
        assertThat(e.getMessage()).isEqualTo("bencode: string of 1099511627776 bytes is truncated, only 1 bytes remain at offset 0");
        assertThatThrownBy(() -> Bencode.decode(input)).hasMessageContaining("exceeds the limit of 67108864");
        assertThat(allocated).as("bytes allocated by 10 failing decodes").isLessThan(1 << 20);
        // a prefix that fits in the input count but not in the limit is refused by the limit
        assertThatThrownBy(() -> Bencode.decode(b("20:" + "x".repeat(20)), new BencodeLimits(4, 100, 10, 10)))
                .hasMessageContaining("exceeds the limit of 10");
    }

    @Test
    void dictRemembersItsSourceSpan() {
        byte[] in = b("d4:infod6:lengthi5ee3:zzzi1ee");
        BDict top = Bencode.decodeDict(in, BencodeLimits.DEFAULT);
        BDict info = top.dict("info");
        assertThat(new String(Arrays.copyOfRange(in, info.sourceStart(), info.sourceEnd()), StandardCharsets.ISO_8859_1))
                .isEqualTo("d6:lengthi5ee");
        assertThat(top.sourceStart()).isZero();
        assertThat(top.sourceEnd()).isEqualTo(in.length);
        assertThat(BDict.builder().build().sourceStart()).isEqualTo(-1);
        assertThatThrownBy(() -> Bencode.decodeDict(b("li1ee"), BencodeLimits.DEFAULT))
                .hasMessage("bencode: top-level value must be a dictionary, found 'l' at offset 0");
    }

    @Test
    void typedAccessorsNameTheKey() {
        BDict d = BDict.builder().put("n", 3).put("s", "text").put("raw", new byte[] {(byte) 0xff}).build();
        assertThat(d.integer("n")).isEqualTo(3);
        assertThat(d.optInteger("missing")).isNull();
        assertThat(d.optString("s")).isEqualTo("text");
        assertThat(d.optDict("missing")).isNull();
        assertThat(d.optBytes("raw").length()).isEqualTo(1);
    }

    @Test
    void typedAccessorsRejectWrongTypes() {
        BDict d = BDict.builder().put("n", 3).put("raw", new byte[] {(byte) 0xff}).build();
        assertThatThrownBy(() -> d.string("n")).isInstanceOf(BencodeException.class)
                .hasMessage("bencode: key 'n' holds a integer, expected a string");
        assertThatThrownBy(() -> d.dict("absent")).hasMessage("bencode: missing key 'absent'");
        assertThatThrownBy(() -> d.optList("n")).hasMessageContaining("key 'n'");
        assertThatThrownBy(() -> d.string("raw")).hasMessageContaining("key 'raw' is not valid UTF-8");
        assertThat(d.bytes("raw").latin1()).isEqualTo("\u00ff");
    }

    @Test
    void stringsAreStrictAboutUtf8() {
        assertThat(BString.of("ünïcødé ✓").utf8()).isEqualTo("ünïcødé ✓");
        BString bad = BString.of(new byte[] {'a', (byte) 0xc3});
        assertThatThrownBy(bad::utf8).isInstanceOf(BencodeException.class).hasMessageContaining("not valid UTF-8");
        assertThat(bad.length()).isEqualTo(2);
        byte[] src = {1, 2, 3};
        BString s = BString.of(src);
        src[0] = 9;
        assertThat(s.bytes()).containsExactly(1, 2, 3);
        assertThat(s).isEqualTo(BString.of(new byte[] {1, 2, 3})).hasSameHashCodeAs(BString.of(new byte[] {1, 2, 3}));
    }

    @Test
    void encodesCanonicallyWithSortedKeys() {
        BDict d = BDict.builder()
                .put("zeta", 1)
                .put("alpha", BList.of(new BInt(-3), BString.of("x")))
                .put(BString.of(new byte[] {(byte) 0x80}), new BInt(0))
                .put("Beta", "b")
                .build();
        assertThat(new String(Bencode.encode(d), StandardCharsets.ISO_8859_1))
                .isEqualTo("d4:Beta1:b5:alphali-3e1:xe4:zetai1e1:\u0080i0ee");
        assertThat(Bencode.decode(Bencode.encode(d))).isEqualTo(d);
    }
}
