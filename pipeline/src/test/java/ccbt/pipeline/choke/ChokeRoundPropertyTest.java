package ccbt.pipeline.choke;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.collections.IntHashSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ChokeRoundPropertyTest {

    @Property(tries = 300)
    void unchokesOnlyInterestedNonSeedsWithinTheSlots(
        @ForAll @Size(max = 40) final List<@IntRange(min = 0, max = 1 << 16) Integer> traits,
        @ForAll @IntRange(min = 0, max = 8) final int slots,
        @ForAll @IntRange(min = 1, max = 12) final int rounds,
        @ForAll final boolean seeding,
        @ForAll final long seed) {
        final List<ChokeRoundTest.Peer> peers = new ArrayList<>();
        for (int i = 0; i < traits.size(); i++) {
            final int t = traits.get(i);
            peers.add(new ChokeRoundTest.Peer(i, (t & 1) != 0, (t >>> 4) % 13, (t >>> 8) % 11,
                (t >>> 12) * 1_000_000_000L, (t & 2) != 0, (t & 4) != 0));
        }
        final ChokeRound round = new ChokeRound(new Random(seed));
        final IntHashSet out = new IntHashSet();
        for (int r = 0; r < rounds; r++) {
            round.run(peers, seeding, slots, 20_000_000_000L, out);
            assertThat(out.size()).isLessThanOrEqualTo(slots + 1);
            int regularSnubbed = 0;
            for (final ChokeRoundTest.Peer p : peers) {
                if (out.contains(p.id())) {
                    assertThat(p.interested()).isTrue();
                    assertThat(p.isSeed()).isFalse();
                    if (p.snubbed()) {
                        regularSnubbed += p.id() == round.optimisticId() ? 0 : 1;
                    }
                }
            }
            assertThat(regularSnubbed).as("snubbed peers only as the optimistic one").isZero();
            final long eligible = peers.stream().filter(p -> p.interested() && !p.isSeed()).count();
            final long regular = Math.min(slots,
                peers.stream().filter(p -> p.interested() && !p.isSeed() && !p.snubbed()).count());
            // every regular slot that can be filled is, plus one optimistic when anyone is left over
            assertThat(out.size()).isEqualTo((int) (regular + (eligible > regular ? 1 : 0)));
            assertThat(round.optimisticId() >= 0).isEqualTo(eligible > regular);
        }
    }
}
