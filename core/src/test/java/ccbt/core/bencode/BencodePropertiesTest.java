package ccbt.core.bencode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class BencodePropertiesTest {
    private static final BencodeLimits SMALL = new BencodeLimits(16, 1 << 20, 1 << 16, 10_000);

    @Provide
    Arbitrary<BValue> values() {
        return Arbitraries.recursive(BencodePropertiesTest::leaf, BencodePropertiesTest::container, 0, 4);
    }

    private static Arbitrary<BValue> leaf() {
        Arbitrary<BValue> ints = Arbitraries.longs().map(BInt::new);
        Arbitrary<BValue> strings = Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(BString::of);
        return Arbitraries.oneOf(ints, strings);
    }

    private static Arbitrary<BValue> container(Arbitrary<BValue> inner) {
        Arbitrary<BValue> lists = inner.list().ofMaxSize(5).map(BList::new);
        Arbitrary<BValue> dicts = Arbitraries.maps(Arbitraries.bytes().array(byte[].class).ofMaxSize(8).map(BString::of), inner)
                .ofMaxSize(5)
                .map(m -> {
                    BDict.Builder b = BDict.builder();
                    m.forEach(b::put);
                    return b.build();
                });
        return Arbitraries.oneOf(inner, lists, dicts);
    }

    @Property(tries = 500)
    void encodeThenDecodeIsIdentity(@ForAll("values") BValue value) {
        byte[] encoded = Bencode.encode(value);
        BValue decoded = Bencode.decode(encoded);
        assertThat(decoded).isEqualTo(value);
        assertThat(Bencode.encode(decoded)).isEqualTo(encoded);
    }

    @Property(tries = 1000)
    void arbitraryBytesFailOnlyWithBencodeException(@ForAll @Size(max = 64) byte[] input) {
        decodeOrBencodeException(input);
    }

    @Property(tries = 1000)
    void mutatedEncodingsFailOnlyWithBencodeException(@ForAll("values") BValue value,
            @ForAll("mutations") List<int[]> mutations) {
        byte[] data = Bencode.encode(value);
        for (int[] m : mutations) {
            if (data.length == 0) {
                break;
            }
            int at = Math.floorMod(m[1], data.length);
            data = switch (m[0]) {
                case 0 -> { // overwrite a byte
                    data[at] = (byte) m[2];
                    yield data;
                }
                case 1 -> Arrays.copyOf(data, at); // truncate
                case 2 -> { // insert a byte
                    byte[] longer = new byte[data.length + 1];
                    System.arraycopy(data, 0, longer, 0, at);
                    longer[at] = (byte) m[2];
                    System.arraycopy(data, at, longer, at + 1, data.length - at);
                    yield longer;
                }
                default -> { // delete a byte
                    byte[] shorter = new byte[data.length - 1];
                    System.arraycopy(data, 0, shorter, 0, at);
                    System.arraycopy(data, at + 1, shorter, at, data.length - at - 1);
                    yield shorter;
                }
            };
        }
        BValue decoded = decodeOrBencodeException(data);
        if (decoded != null) {
            // whatever is accepted is canonical: it re-encodes to the same bytes
            assertThat(Bencode.encode(decoded)).isEqualTo(data);
        }
    }

    @Provide
    Arbitrary<List<int[]>> mutations() {
        Arbitrary<int[]> one = Arbitraries.integers().between(0, 3)
                .flatMap(kind -> Arbitraries.integers().flatMap(pos -> Arbitraries.of(
                                (int) 'i', (int) 'e', (int) 'l', (int) 'd', (int) ':', (int) '0', (int) '9', (int) '-', 0xff, 0)
                        .map(b -> new int[] {kind, pos, b})));
        return one.list().ofMinSize(1).ofMaxSize(3);
    }

    private static BValue decodeOrBencodeException(byte[] input) {
        try {
            return Bencode.decode(input, SMALL);
        } catch (BencodeException e) {
            assertThat(e.getMessage()).startsWith("bencode: ");
            assertThat(e.offset()).isBetween(-1L, (long) input.length);
            return null;
        }
    }
}
