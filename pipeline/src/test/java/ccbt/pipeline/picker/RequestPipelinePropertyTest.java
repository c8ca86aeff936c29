package ccbt.pipeline.picker;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Random add / deliver / cancel / expire / drain sequences against a map of what is outstanding. */
class RequestPipelinePropertyTest {
    private static final long MS = 1_000_000L;

    @Property(tries = 300)
    void agreesWithAModel(
        @ForAll @Size(max = 600) final List<@IntRange(min = 0, max = 1 << 20) Integer> codes,
        @ForAll @IntRange(min = 1, max = 16) final int min,
        @ForAll @IntRange(min = 0, max = 200) final int extra,
        @ForAll @IntRange(min = 1, max = 300) final int reqq) {
        final int max = min + extra;
        final RequestPipeline p = new RequestPipeline(min, max);
        p.setPeerLimit(reqq);
        final Map<Long, Long> model = new LinkedHashMap<>();
        long now = 0;
        boolean snubbed = false;
        for (final int code : codes) {
            now += (code % 50) * MS / 50;
            final int op = code % 8;
            // Half the operations add, over 40 pieces x 8 blocks with a slow clock and rare drains: some tries hold
            // more than the ring's first 64 slots, so it grows and wraps.
            final int piece = (code >>> 9) % 40;
            final int block = (code >>> 6) % 8;
            final long key = FakePeer.key(piece, block);
            switch (op) {
                case 0, 1, 2, 3 -> {
                    final boolean fits = model.size() < Math.min(max, reqq) && !model.containsKey(key);
                    assertThat(p.add(piece, block, now)).isEqualTo(fits);
                    if (fits) {
                        model.put(key, now);
                    }
                }
                case 4 -> {
                    final boolean was = model.remove(key) != null;
                    assertThat(p.remove(piece, block, now)).isEqualTo(was);
                    snubbed &= !was;
                }
                case 5 -> assertThat(p.cancel(piece, block)).isEqualTo(model.remove(key) != null);
                case 6 -> {
                    final long timeout = 200 * MS;
                    final List<Long> expected = new ArrayList<>();
                    for (final Map.Entry<Long, Long> e : model.entrySet()) {
                        if (now - e.getValue() >= timeout) {
                            expected.add(e.getKey());
                        }
                    }
                    final List<Long> got = new ArrayList<>();
                    assertThat(p.expire(now, timeout, (pc, b) -> got.add(FakePeer.key(pc, b))))
                        .isEqualTo(expected.size());
                    assertThat(got).containsExactlyElementsOf(expected);
                    expected.forEach(model::remove);
                    snubbed |= !expected.isEmpty();
                }
                default -> {
                    if (code % 97 == 0) {
                        final List<Long> got = new ArrayList<>();
                        p.drain((pc, b) -> got.add(FakePeer.key(pc, b)));
                        assertThat(got).containsExactlyElementsOf(model.keySet());
                        model.clear();
                    }
                }
            }
            assertThat(p.outstanding()).isEqualTo(model.size());
            assertThat(p.snubbed(now)).isEqualTo(snubbed);
            assertThat(p.depth()).isBetween(1, Math.min(max, reqq));
            if (!snubbed) {
                assertThat(p.depth()).isGreaterThanOrEqualTo(Math.min(min, reqq));
            }
            assertThat(p.room()).isEqualTo(Math.max(0, p.depth() - model.size()));
            for (final long k : model.keySet()) {
                assertThat(p.contains((int) (k >>> 32), (int) k)).isTrue();
            }
            // and the block this step touched is outstanding exactly when the model holds it
            assertThat(p.contains(piece, block)).isEqualTo(model.containsKey(key));
        }
    }
}
