package ccbt.pipeline.choke;

import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.IntHashSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * One choke decision, run every ten seconds or so: which peers we upload to. Pure and deterministic
 * given the {@link Random}; the session applies the result (CHOKE / UNCHOKE messages).
 *
 * <p><b>Downloading (tit-for-tat, BEP 3).</b> The {@code slots} interested peers that send us the most
 * get a regular slot; snubbed peers never do. One more peer gets the optimistic slot, chosen at random
 * among the other interested peers and kept for {@link #OPTIMISTIC_ROUNDS} rounds; peers connected for
 * less than {@link #setNewPeerWindow the new-peer window} are three times as likely, since they have
 * nothing to reciprocate with yet.
 *
 * <p><b>Seeding.</b> Nobody sends us anything, so peers are ranked by how fast we upload to them (the
 * ones that can take data fast go first), but fairly: a peer that has held a slot for
 * {@link #SEED_TURN_ROUNDS} consecutive rounds goes behind every peer waiting, and waiting peers are
 * served longest-waiting first. The optimistic slot works as when downloading.
 *
 * <p>Seeds and uninterested peers are never unchoked: they want nothing from us. Ties are broken by a
 * shuffle from the {@link Random}, so equal peers do not always win in list order.
 */
public final class ChokeRound {
    /** Rounds an optimistic unchoke lasts before another peer gets it (30 s at one round per 10 s). */
    public static final int OPTIMISTIC_ROUNDS = 3;
    /** Consecutive rounds a seeding slot lasts while other interested peers wait. */
    public static final int SEED_TURN_ROUNDS = 3;
    /** How much likelier a newly connected peer is to get the optimistic slot. */
    public static final int NEW_PEER_WEIGHT = 3;

    /** Seeding groups, in the order slots are handed out. */
    private static final int IN_TURN = 0;
    private static final int WAITING = 1;
    private static final int TURN_OVER = 2;

    private final Random random;
    private long newPeerWindowNanos = 30_000_000_000L;
    private int round;
    private boolean hasOptimistic;
    private int optimistic;
    private int optimisticSince;
    /** Peers unchoked in the previous round → the round their current unchoked run began. */
    private final Int2IntHashMap unchokedSince = new Int2IntHashMap(-1);
    /** Peers → the last round they were unchoked (0: never). */
    private final Int2IntHashMap lastUnchoked = new Int2IntHashMap(0);

    /** A choker whose tie-breaks and optimistic picks come from {@code random}. */
    public ChokeRound(final Random random) {
        this.random = random;
    }

    /** A choker with its own randomness. */
    public ChokeRound() {
        this(new Random());
    }

    /** Peers connected for less than this are "new" for the optimistic slot (default 30 s). */
    public void setNewPeerWindow(final long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("new peer window " + nanos + " ns must not be negative");
        }
        this.newPeerWindowNanos = nanos;
    }

    /**
     * Runs one round.
     *
     * @param peers    every connected peer of the torrent
     * @param seeding  whether we have every piece (rank by upload rate, with turns) or download (tit-for-tat)
     * @param slots    regular upload slots (the optimistic one comes on top)
     * @param nowNanos the current time, for the new-peer window
     * @param unchoke  cleared, then filled with the ids to unchoke; every other peer should be choked
     */
    public void run(final List<? extends ChokeCandidate> peers, final boolean seeding, final int slots,
                    final long nowNanos, final IntHashSet unchoke) {
        if (slots < 0) {
            throw new IllegalArgumentException("slots=" + slots + " must not be negative");
        }
        round++;
        unchoke.clear();
        final List<ChokeCandidate> eligible = new ArrayList<>();
        for (final ChokeCandidate p : peers) {
            if (p.interested() && !p.isSeed()) {
                eligible.add(p);
            }
        }
        final List<ChokeCandidate> regular = new ArrayList<>();
        for (final ChokeCandidate p : eligible) {
            if (!p.snubbed()) {
                regular.add(p);
            }
        }
        Collections.shuffle(regular, random);
        regular.sort(seeding ? seedingOrder() : Comparator.comparingDouble(ChokeCandidate::downloadRateToUs).reversed());
        for (int i = 0; i < Math.min(slots, regular.size()); i++) {
            unchoke.add(regular.get(i).id());
        }
        chooseOptimistic(eligible, unchoke, nowNanos);
        if (hasOptimistic) {
            unchoke.add(optimistic);
        }
        remember(peers, unchoke);
    }

    /** The id holding the optimistic slot, or -1 when none does. */
    public int optimisticId() {
        return hasOptimistic ? optimistic : -1;
    }

    /** Rounds run so far. */
    public int rounds() {
        return round;
    }

    /**
     * Peers in their turn (fastest first), then waiting peers (longest waiting first, then fastest), then
     * peers whose turn is over: each interested peer gets {@link #SEED_TURN_ROUNDS} rounds in turn.
     */
    private Comparator<ChokeCandidate> seedingOrder() {
        return Comparator.<ChokeCandidate>comparingInt(p -> seedingGroup(p.id()))
            .thenComparingInt(p -> seedingGroup(p.id()) == WAITING ? lastUnchoked.get(p.id()) : 0)
            .thenComparing(Comparator.comparingDouble(ChokeCandidate::uploadRateToThem).reversed());
    }

    private int seedingGroup(final int id) {
        final int since = unchokedSince.get(id);
        if (since < 0) {
            return WAITING;
        }
        return round - since >= SEED_TURN_ROUNDS ? TURN_OVER : IN_TURN;
    }

    private void chooseOptimistic(final List<ChokeCandidate> eligible, final IntHashSet regular, final long now) {
        boolean keep = hasOptimistic && round - optimisticSince < OPTIMISTIC_ROUNDS && !regular.contains(optimistic);
        if (keep) {
            keep = false;
            for (final ChokeCandidate p : eligible) {
                if (p.id() == optimistic) {
                    keep = true;
                    break;
                }
            }
        }
        if (keep) {
            return;
        }
        final List<ChokeCandidate> pool = new ArrayList<>();
        for (final ChokeCandidate p : eligible) {
            if (!regular.contains(p.id())) {
                pool.add(p);
            }
        }
        if (pool.size() > 1 && hasOptimistic) {
            // Rotate: the outgoing optimistic peer gets no second turn in a row when others wait.
            pool.removeIf(p -> p.id() == optimistic);
        }
        if (pool.isEmpty()) {
            hasOptimistic = false;
            return;
        }
        int total = 0;
        for (final ChokeCandidate p : pool) {
            total += weight(p, now);
        }
        int r = random.nextInt(total);
        for (final ChokeCandidate p : pool) {
            r -= weight(p, now);
            if (r < 0) {
                hasOptimistic = true;
                optimistic = p.id();
                optimisticSince = round;
                return;
            }
        }
        throw new IllegalStateException("weighted pick fell off the end of " + pool.size() + " peers");
    }

    private int weight(final ChokeCandidate p, final long now) {
        return now - p.connectedAtNanos() < newPeerWindowNanos ? NEW_PEER_WEIGHT : 1;
    }

    /** Records this round's unchoked runs and forgets peers that left. */
    private void remember(final List<? extends ChokeCandidate> peers, final IntHashSet unchoke) {
        final IntHashSet present = new IntHashSet(peers.size() * 2);
        for (final ChokeCandidate p : peers) {
            present.add(p.id());
        }
        unchokedSince.keySet().removeIf(id -> !unchoke.contains(id));
        lastUnchoked.keySet().removeIf(id -> !present.contains(id));
        final IntHashSet.IntIterator it = unchoke.iterator();
        while (it.hasNext()) {
            final int id = it.nextValue();
            if (unchokedSince.get(id) < 0) {
                unchokedSince.put(id, round);
            }
            lastUnchoked.put(id, round);
        }
    }
}
