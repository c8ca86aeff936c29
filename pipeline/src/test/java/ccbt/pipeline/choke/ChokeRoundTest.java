package ccbt.pipeline.choke;

import org.agrona.collections.IntHashSet;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChokeRoundTest {
    private static final long S = 1_000_000_000L;
    private static final long NOW = 1_000 * S;

    /** A peer as the choker sees it; connected long ago unless said otherwise. */
    record Peer(int id, boolean interested, double downloadRateToUs, double uploadRateToThem,
                long connectedAtNanos, boolean isSeed, boolean snubbed) implements ChokeCandidate {
        static Peer downloading(final int id, final double rate) {
            return new Peer(id, true, rate, 0, 0, false, false);
        }

        static Peer uploading(final int id, final double rate) {
            return new Peer(id, true, 0, rate, 0, false, false);
        }
    }

    private static TreeSet<Integer> run(final ChokeRound round, final List<Peer> peers, final boolean seeding,
                                        final int slots) {
        final IntHashSet out = new IntHashSet();
        round.run(peers, seeding, slots, NOW, out);
        final TreeSet<Integer> ids = new TreeSet<>();
        out.forEach(ids::add);
        return ids;
    }

    @Test
    void unchokesTheFastestUploadersToUsPlusOneOptimistic() {
        final List<Peer> peers = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            peers.add(Peer.downloading(i, i * 1000));
        }
        peers.add(new Peer(20, false, 99_000, 0, 0, false, false)); // not interested
        peers.add(new Peer(21, true, 98_000, 0, 0, true, false));   // a seed
        peers.add(new Peer(22, true, 97_000, 0, 0, false, true));   // snubbed
        final ChokeRound round = new ChokeRound(new Random(1));
        final TreeSet<Integer> unchoked = run(round, peers, false, 3);
        assertThat(unchoked).hasSize(4).contains(8, 7, 6).doesNotContain(20, 21);
        final int optimistic = round.optimisticId();
        assertThat(optimistic).isIn(1, 2, 3, 4, 5, 22);
        assertThat(unchoked).contains(optimistic);
    }

    @Test
    void keepsTheOptimisticPeerForThreeRoundsThenRotates() {
        final List<Peer> peers = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            peers.add(Peer.downloading(i, i == 6 ? 50_000 : 0));
        }
        final ChokeRound round = new ChokeRound(new Random(7));
        run(round, peers, false, 1);
        final int first = round.optimisticId();
        assertThat(first).isBetween(1, 5);
        run(round, peers, false, 1);
        run(round, peers, false, 1);
        assertThat(round.optimisticId()).isEqualTo(first);
        final TreeSet<Integer> fourth = run(round, peers, false, 1);
        assertThat(round.optimisticId()).isNotEqualTo(first).isBetween(1, 5);
        assertThat(fourth).containsExactlyInAnyOrder(6, round.optimisticId());
    }

    @Test
    void replacesAnOptimisticPeerThatLeftOrLostInterest() {
        final List<Peer> peers = new ArrayList<>(List.of(Peer.downloading(1, 10), Peer.downloading(2, 0),
            Peer.downloading(3, 0)));
        final ChokeRound round = new ChokeRound(new Random(3));
        run(round, peers, false, 1);
        final int gone = round.optimisticId();
        peers.removeIf(p -> p.id() == gone);
        final TreeSet<Integer> next = run(round, peers, false, 1);
        assertThat(round.optimisticId()).isNotEqualTo(gone);
        assertThat(next).hasSize(2).contains(1);
    }

    @Test
    void newPeersAreThreeTimesLikelierOptimisticPicks() {
        final Peer old = new Peer(1, true, 0, 0, 0, false, false);
        final Peer fresh = new Peer(2, true, 0, 0, NOW - 5 * S, false, false);
        final Peer top = Peer.downloading(3, 1e6);
        int freshWins = 0;
        final int trials = 4000;
        for (int s = 0; s < trials; s++) {
            final ChokeRound round = new ChokeRound(new Random(s));
            run(round, List.of(old, fresh, top), false, 1);
            if (round.optimisticId() == 2) {
                freshWins++;
            }
        }
        // expectation 3/4 = 3000, standard deviation ≈ 27
        assertThat(freshWins).isBetween(2850, 3150);
    }

    @Test
    void seedingRanksByUploadRateAndGivesEveryoneATurn() {
        final List<Peer> peers = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            peers.add(Peer.uploading(i, i * 100));
        }
        peers.add(new Peer(50, false, 0, 0, 0, false, false));
        final ChokeRound round = new ChokeRound(new Random(11));
        final TreeSet<Integer> first = run(round, peers, true, 2);
        assertThat(first).contains(7, 6).hasSize(3);
        final TreeSet<Integer> everRegular = new TreeSet<>();
        final int[] streak = new int[8];
        for (int r = 0; r < 14; r++) {
            final TreeSet<Integer> now = run(round, peers, true, 2);
            assertThat(now).doesNotContain(50).hasSizeLessThanOrEqualTo(3);
            for (int id = 1; id <= 7; id++) {
                final boolean regular = now.contains(id) && id != round.optimisticId();
                if (regular) {
                    everRegular.add(id);
                }
                streak[id] = regular ? streak[id] + 1 : 0;
                assertThat(streak[id]).as("peer %d holds a regular slot too long", id)
                    .isLessThanOrEqualTo(ChokeRound.SEED_TURN_ROUNDS);
            }
        }
        assertThat(everRegular).as("every peer gets a regular turn").containsExactly(1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void unchokesEveryoneWhenSlotsSuffice() {
        final List<Peer> peers = List.of(Peer.downloading(1, 0), Peer.downloading(2, 5));
        final ChokeRound round = new ChokeRound(new Random(5));
        assertThat(run(round, peers, false, 4)).containsExactly(1, 2);
        assertThat(round.optimisticId()).isEqualTo(-1);
        assertThat(run(round, List.of(), false, 4)).isEmpty();
    }

    @Test
    void isDeterministicForAGivenRandom() {
        final List<Peer> peers = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            peers.add(new Peer(i, i % 4 != 0, (i * 37) % 11, (i * 13) % 7, i * S, false, i % 9 == 0));
        }
        final ChokeRound a = new ChokeRound(new Random(99));
        final ChokeRound b = new ChokeRound(new Random(99));
        for (int r = 0; r < 10; r++) {
            assertThat(run(a, peers, r % 2 == 0, 4)).isEqualTo(run(b, peers, r % 2 == 0, 4));
        }
    }

    @Test
    void rejectsNegativeSlots() {
        assertThatThrownBy(() -> new ChokeRound().run(List.of(), false, -1, 0, new IntHashSet()))
            .hasMessageContaining("slots=-1");
    }
}
