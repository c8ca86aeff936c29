package ccbt.core.metainfo;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.bencode.BDict;
import ccbt.core.bencode.BList;
import ccbt.core.bencode.BValue;
import ccbt.core.bencode.Bencode;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class MetainfoPropertiesTest {
    /** A valid multi-file torrent to mutate; mutations land mostly in the info dictionary, the part we validate. */
    private static final byte[] VALID = Bencode.encode(BDict.builder()
            .put("announce", "http://127.0.0.1:1/a")
            .put("info", MetainfoTest.info("t", 16384, 16384 + 10)
                    .put("files", new BList(List.<BValue>of(MetainfoTest.file(16384, "a", "b"), MetainfoTest.file(10, "c"))))
                    .put("private", 1)
                    .build())
            .build());

    @Property(tries = 1000)
    void arbitraryBytesFailOnlyWithMetainfoException(@ForAll @Size(max = 200) byte[] input) {
        parseOrMetainfoException(input);
    }

    @Property(tries = 1500)
    void mutatedTorrentsFailOnlyWithMetainfoException(@ForAll("edits") List<int[]> edits) {
        byte[] data = VALID.clone();
        for (int[] e : edits) {
            data[Math.floorMod(e[0], data.length)] = (byte) e[1];
        }
        Metainfo m = parseOrMetainfoException(data);
        if (m != null) {
            // anything accepted is internally consistent
            assertThat(m.pieceCount()).isEqualTo((int) ((m.totalLength() + m.pieceLength() - 1) / m.pieceLength()));
            assertThat(m.files()).allSatisfy(f -> assertThat(f.path()).doesNotContain("..", ".", ""));
        }
    }

    @Provide
    Arbitrary<List<int[]>> edits() {
        Arbitrary<int[]> one = Arbitraries.integers().between(0, VALID.length - 1).flatMap(pos -> Arbitraries.of(
                        (int) '0', (int) '1', (int) '9', (int) '.', (int) '/', (int) '-', (int) 'e', (int) 'l', (int) 'd', (int) 'i', 0, 0xff)
                .map(b -> new int[] {pos, b}));
        return one.list().ofMinSize(1).ofMaxSize(3);
    }

    private static Metainfo parseOrMetainfoException(byte[] input) {
        try {
            return Metainfo.parse(input);
        } catch (MetainfoException e) {
            assertThat(e.getMessage()).isNotBlank();
            return null;
        }
    }
}
