package ccbt.xet.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class GearHashChunkerTest {

    /** SplitMix64 bytes, little-endian per word: the generator of xet-core's chunking.rs tests. */
    static byte[] splitMixData(int n, long seed) {
        final byte[] out = new byte[n];
        long state = seed;
        for (int i = 0; i < n; i += 8) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            for (int b = 0; b < 8 && i + b < n; b++) {
                out[i + b] = (byte) (z >>> (8 * b));
            }
        }
        return out;
    }

    static List<Long> boundaries(GearHashChunker chunker, byte[] data, int... splits) {
        final List<Long> ends = new ArrayList<>();
        final ChunkSink sink = (offset, length) -> {
            assertThat(offset).isEqualTo(ends.isEmpty() ? 0 : ends.getLast());
            ends.add(offset + length);
        };
        int pos = 0;
        for (final int split : splits) {
            chunker.update(data, pos, split - pos, sink);
            pos = split;
        }
        chunker.update(data, pos, data.length - pos, sink);
        chunker.finish(sink);
        return ends;
    }

    @Test
    void matchesXetCoreReferenceBoundariesOnSplitMixData() {
        // Expected values: test_correctness_1mb_random_data in xet-core deduplication/src/chunking.rs.
        final byte[] data = splitMixData(1_000_000, 0);
        assertThat(data[0] & 0xFF).isEqualTo(175);
        assertThat(data[127] & 0xFF).isEqualTo(132);
        assertThat(data[111111] & 0xFF).isEqualTo(118);
        assertThat(boundaries(new GearHashChunker(), data)).containsExactly(84493L, 134421L, 144853L, 243318L,
                271793L, 336457L, 467529L, 494581L, 582000L, 596735L, 616815L, 653164L, 678202L, 724510L, 815591L,
                827760L, 958832L, 991092L, 1000000L);
    }

    @Test
    void constantDataIsCutAtTheMaximum() {
        // Expected values: test_correctness_1mb_const_data in xet-core deduplication/src/chunking.rs.
        final byte[] data = new byte[1_000_000];
        Arrays.fill(data, (byte) 59);
        assertThat(boundaries(new GearHashChunker(), data)).containsExactly(131072L, 262144L, 393216L, 524288L,
                655360L, 786432L, 917504L, 1000000L);
    }

    /** The 128-byte pattern of xet-core's get_triggering_base_data: it hits a boundary once per repetition. */
    private static final int[] TRIGGER = {
        154, 52, 42, 34, 159, 75, 126, 224, 70, 236, 12, 196, 79, 236, 178, 124, 127, 50, 99, 178, 44, 176, 174,
        126, 250, 235, 205, 174, 252, 122, 35, 10, 20, 101, 214, 69, 193, 8, 115, 105, 158, 228, 120, 111, 136,
        162, 198, 251, 211, 183, 253, 252, 164, 147, 63, 16, 186, 162, 117, 23, 170, 36, 205, 187, 174, 76, 210,
        174, 211, 175, 12, 173, 145, 59, 2, 70, 222, 181, 159, 227, 182, 156, 189, 51, 226, 106, 24, 50, 183, 157,
        140, 10, 8, 23, 212, 70, 10, 234, 23, 33, 219, 254, 39, 236, 70, 49, 191, 116, 9, 115, 15, 101, 26, 159,
        165, 220, 15, 170, 56, 125, 92, 163, 94, 235, 38, 40, 49, 81,
    };

    static byte[] triggeringData(int n, int padding) {
        final byte[] base = new byte[TRIGGER.length + padding];
        for (int i = 0; i < TRIGGER.length; i++) {
            base[i] = (byte) TRIGGER[i];
        }
        final byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = base[i % base.length];
        }
        return out;
    }

    @Test
    void boundariesNeverComeBeforeTheMinimumEvenWhenTheHashMatchesEarly() {
        // Expected values: test_correctness_100kb_hitting_data in xet-core deduplication/src/chunking.rs
        // (paddings 0, 1, 12, 17 and 29: those where the older, hash-keeping chunker cut elsewhere).
        assertThat(triggeringData(65536, 0)[11111] & 0xFF).isEqualTo(236);
        assertThat(triggeringData(65536, 1)[11111] & 0xFF).isEqualTo(50);
        assertThat(boundaries(new GearHashChunker(), triggeringData(65536, 0)))
                .containsExactly(8256L, 16448L, 24640L, 32832L, 41024L, 49216L, 57408L, 65536L);
        assertThat(boundaries(new GearHashChunker(), triggeringData(65536, 1)))
                .containsExactly(8320L, 16576L, 24832L, 33088L, 41344L, 49600L, 57856L, 65536L);
        assertThat(boundaries(new GearHashChunker(), triggeringData(65536, 12)))
                .containsExactly(8324L, 16584L, 24844L, 33104L, 41364L, 49624L, 57884L, 65536L);
        assertThat(boundaries(new GearHashChunker(), triggeringData(65536, 17)))
                .containsExactly(8329L, 16594L, 24859L, 33124L, 41389L, 49654L, 57919L, 65536L);
        assertThat(boundaries(new GearHashChunker(), triggeringData(65536, 29)))
                .containsExactly(8228L, 16549L, 24870L, 33191L, 41512L, 49833L, 58154L, 65536L);
    }

    @Test
    void emptyStreamHasNoChunksAndShortStreamIsOneChunk() {
        assertThat(boundaries(new GearHashChunker(), new byte[0])).isEmpty();
        assertThat(boundaries(new GearHashChunker(), new byte[1])).containsExactly(1L);
        assertThat(boundaries(new GearHashChunker(), new byte[8192])).containsExactly(8192L);
    }

    @Test
    void chunkSizesStayWithinMinimumAndMaximum() {
        final byte[] data = splitMixData(4 << 20, 9);
        final GearHashChunker chunker = new GearHashChunker();
        final List<Long> ends = boundaries(chunker, data);
        long previous = 0;
        for (int i = 0; i < ends.size(); i++) {
            final long size = ends.get(i) - previous;
            assertThat(size).isLessThanOrEqualTo(chunker.maximum());
            if (i < ends.size() - 1) {
                assertThat(size).isGreaterThanOrEqualTo(chunker.minimum());
            }
            previous = ends.get(i);
        }
        // 4 MiB of random bytes at a 64 KiB target: a few dozen chunks, not one per maximum.
        assertThat(ends.size()).isBetween(40, 100);
    }

    @Test
    void directBufferGivesTheSameChunksAsAnArray() {
        final byte[] data = splitMixData(2 << 20, 3);
        final ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
        final GearHashChunker chunker = new GearHashChunker();
        final List<Long> ends = new ArrayList<>();
        final ChunkSink sink = (offset, length) -> ends.add(offset + length);
        for (int pos = 0; pos < data.length; pos += 100_000) {
            final ByteBuffer slice = direct.duplicate().position(pos).limit(Math.min(data.length, pos + 100_000));
            chunker.update(slice, sink);
            assertThat(slice.position()).isEqualTo(slice.limit());
        }
        chunker.finish(sink);
        assertThat(ends).isEqualTo(boundaries(new GearHashChunker(), data));
    }

    @Test
    void heapSliceWithAnArrayOffsetGivesTheSameChunks() {
        final byte[] data = splitMixData(1 << 20, 4);
        final byte[] padded = new byte[data.length + 77];
        System.arraycopy(data, 0, padded, 77, data.length);
        final ByteBuffer slice = ByteBuffer.wrap(padded, 77, data.length).slice();
        assertThat(slice.arrayOffset()).isEqualTo(77);
        final GearHashChunker chunker = new GearHashChunker();
        final List<Long> ends = new ArrayList<>();
        chunker.update(slice, (offset, length) -> ends.add(offset + length));
        chunker.finish((offset, length) -> ends.add(offset + length));
        assertThat(ends).isEqualTo(boundaries(new GearHashChunker(), data));
    }

    @Test
    void rejectsTargetsThatAreNotPowersOfTwoAboveTheWindow() {
        assertThatThrownBy(() -> new GearHashChunker(64)).hasMessageContaining("64");
        assertThatThrownBy(() -> new GearHashChunker(100_000)).hasMessageContaining("100000");
    }

    @Test
    void rejectsRangesOutsideTheArray() {
        assertThatThrownBy(() -> new GearHashChunker().nextBoundary(new byte[10], 5, 11))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("[5, 11)");
    }

    @Property(tries = 60)
    void anySplitOfTheInputGivesTheSameChunks(@ForAll @IntRange(min = 0, max = 400_000) int length,
            @ForAll long seed, @ForAll("targets") int target, @ForAll @IntRange(min = 1, max = 20) int cuts) {
        final Random random = new Random(seed);
        final byte[] data = new byte[length];
        // Half random, half low-entropy bytes, so that both matches and maximum-size cuts occur.
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : i / 1000);
        }
        final int[] splits = random.ints(cuts, 0, length + 1).sorted().toArray();
        assertThat(boundaries(new GearHashChunker(target), data, splits))
                .isEqualTo(boundaries(new GearHashChunker(target), data));
    }

    @Provide
    Arbitrary<Integer> targets() {
        return Arbitraries.of(128, 1024, 4096, 65536);
    }
}
