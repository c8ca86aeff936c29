package ccbt.pipeline.picker;

import ccbt.core.Bitfield;

import java.util.HashSet;
import java.util.Set;

/** A peer for picker tests: a bitfield or seed flag, choke state, allowed-fast set and outstanding requests. */
final class FakePeer implements PeerView {
    final int id;
    final Bitfield bits;
    boolean seed;
    boolean choking;
    final Set<Integer> allowedFast = new HashSet<>();
    final Set<Long> outstanding = new HashSet<>();

    FakePeer(final int id, final int pieces) {
        this.id = id;
        this.bits = new Bitfield(pieces);
    }

    static FakePeer seed(final int id, final int pieces) {
        final FakePeer p = new FakePeer(id, pieces);
        p.seed = true;
        return p;
    }

    static long key(final int piece, final int block) {
        return (long) piece << 32 | block;
    }

    @Override
    public boolean has(final int piece) {
        return seed || bits.get(piece);
    }

    @Override
    public boolean isSeed() {
        return seed;
    }

    @Override
    public boolean isChokingUs() {
        return choking;
    }

    @Override
    public boolean isAllowedFast(final int piece) {
        return allowedFast.contains(piece);
    }

    @Override
    public boolean hasOutstanding(final int piece, final int block) {
        return outstanding.contains(key(piece, block));
    }

    @Override
    public int id() {
        return id;
    }
}
