package ccbt.pipeline.picker;

import ccbt.core.Bitfield;

import java.util.Arrays;
import java.util.Random;

/**
 * Decides which blocks to request from which peer: rarest piece first (random among equally rare
 * pieces) or in piece order, finishing pieces already in progress before starting new ones, a cap on
 * pieces in progress (the staging slots), allowed-fast pieces under choke (BEP 6) and an endgame in
 * which the last requested blocks are asked from a second peer.
 *
 * <p>Pure and single-threaded: no I/O, no clock, randomness only from the {@link Random} given. The
 * session owns one per torrent and calls it from the torrent's event loop.
 *
 * <h2>State</h2>
 * Every piece is in one of four states: <em>candidate</em> (missing, no block requested or received),
 * <em>partial</em> (some block requested or received; per-block state kept in a slot), <em>verifying</em>
 * (every block received, waiting for {@link #pieceVerified} or {@link #pieceFailed}) and <em>have</em>.
 * A block of a partial piece is NONE, REQUESTED by k peers (k ≥ 1) or RECEIVED.
 *
 * <h2>Rarest first without sorting</h2>
 * Candidate pieces sit in {@code order[0, live)}, grouped in buckets by availability: bucket {@code a}
 * is {@code order[bucketStart[a], bucketStart[a + 1])} and holds the candidates exactly {@code a}
 * non-seed peers have. A change of availability by one swaps the piece with the edge of its bucket and
 * moves the boundary: O(1). Seeds are one counter: they add the same amount to every piece, so they never
 * change the order. Removing or re-inserting a candidate walks it through the buckets above it:
 * O(buckets) = O(peers), once per piece start. Ties are broken by starting the scan of a bucket at a
 * random offset, so equally rare pieces are picked uniformly and two torrents never march in step.
 */
public final class PiecePicker {
    private static final byte CANDIDATE = 0;
    private static final byte PARTIAL = 1;
    private static final byte VERIFYING = 2;
    private static final byte HAVE = 3;

    /** Block state byte: 0 = NONE, 1..127 = requested from that many peers, -1 = RECEIVED. */
    private static final byte NONE = 0;
    private static final byte RECEIVED = -1;
    private static final int MAX_REQUESTERS = Byte.MAX_VALUE;

    private final int pieceCount;
    private final int blocksPerPiece;
    private final int blocksInLastPiece;
    private final Random random;

    private final byte[] state;
    private final int[] availability;
    private int seeds;

    private final int[] order;
    private final int[] position;
    private int[] bucketStart;
    private int top;

    private final int[] slotOf;
    private byte[] blocks;
    private int[] slotUnrequested;
    private int[] slotRequested;
    private int[] slotReceived;
    private int slotCapacity;
    private int[] freeSlots;
    private int freeCount;
    private int nextFreshSlot;

    private final int[] partials;
    private int partialCount;
    private int verifyingCount;
    private int missing;
    private long unrequested;

    private int maxPartialPieces = Integer.MAX_VALUE;
    private boolean sequential;
    private int sequentialCursor;
    private int endgameRequesters = 2;

    private int[] started = new int[16];
    private long[] scratch = new long[64];

    /**
     * @param pieceCount        pieces in the torrent (at least 1)
     * @param blocksPerPiece    16 KiB blocks in every piece but the last
     * @param blocksInLastPiece 16 KiB blocks in the last piece (1..blocksPerPiece)
     * @param random            source of the tie-break between equally rare pieces
     */
    public PiecePicker(final int pieceCount, final int blocksPerPiece, final int blocksInLastPiece,
                       final Random random) {
        if (pieceCount < 1) {
            throw new IllegalArgumentException("pieceCount=" + pieceCount + " must be at least 1");
        }
        if (blocksPerPiece < 1) {
            throw new IllegalArgumentException("blocksPerPiece=" + blocksPerPiece + " must be at least 1");
        }
        if (blocksInLastPiece < 1 || blocksInLastPiece > blocksPerPiece) {
            throw new IllegalArgumentException(
                "blocksInLastPiece=" + blocksInLastPiece + " must be in 1.." + blocksPerPiece);
        }
        this.pieceCount = pieceCount;
        this.blocksPerPiece = blocksPerPiece;
        this.blocksInLastPiece = blocksInLastPiece;
        this.random = random;
        this.state = new byte[pieceCount];
        this.availability = new int[pieceCount];
        this.order = new int[pieceCount];
        this.position = new int[pieceCount];
        for (int i = 0; i < pieceCount; i++) {
            order[i] = i;
        }
        // Shuffle once so that pieces with equal availability do not start in index order.
        for (int i = pieceCount - 1; i > 0; i--) {
            final int j = random.nextInt(i + 1);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int i = 0; i < pieceCount; i++) {
            position[order[i]] = i;
        }
        this.bucketStart = new int[8];
        this.bucketStart[0] = 0;
        this.bucketStart[1] = pieceCount;
        this.top = 0;
        this.slotOf = new int[pieceCount];
        Arrays.fill(slotOf, -1);
        this.slotCapacity = 0;
        this.blocks = new byte[0];
        this.slotUnrequested = new int[0];
        this.slotRequested = new int[0];
        this.slotReceived = new int[0];
        this.freeSlots = new int[0];
        this.partials = new int[pieceCount];
        this.missing = pieceCount;
        this.unrequested = (long) (pieceCount - 1) * blocksPerPiece + blocksInLastPiece;
    }

    // ---------------------------------------------------------------- configuration

    /**
     * Caps the pieces in progress (partial plus verifying): no new piece is started while the cap is
     * reached. The session sizes it to its staging slots, so that picking stops instead of over-committing.
     */
    public void setMaxPartialPieces(final int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxPartialPieces=" + max + " must be at least 1");
        }
        this.maxPartialPieces = max;
    }

    /** In sequential mode new pieces are started in index order (streaming) instead of rarest first. */
    public void setSequential(final boolean sequential) {
        this.sequential = sequential;
    }

    /** How many peers at most may have the same block requested in the endgame (default 2). */
    public void setEndgameRequesters(final int max) {
        if (max < 1 || max > MAX_REQUESTERS) {
            throw new IllegalArgumentException("endgame requesters=" + max + " must be in 1.." + MAX_REQUESTERS);
        }
        this.endgameRequesters = max;
    }

    // ---------------------------------------------------------------- our pieces

    /** Marks a piece as verified and stored without going through the picker (resume data, recheck). */
    public void weHave(final int piece) {
        checkPiece(piece);
        switch (state[piece]) {
            case CANDIDATE -> {
                removeFromOrder(piece);
                unrequested -= blockCount(piece);
            }
            case PARTIAL -> {
                unrequested -= slotUnrequested[slotOf[piece]];
                dropPartial(piece);
            }
            case VERIFYING -> verifyingCount--;
            default -> {
                return;
            }
        }
        state[piece] = HAVE;
        missing--;
    }

    /** Whether the piece is verified (ours to serve). */
    public boolean has(final int piece) {
        checkPiece(piece);
        return state[piece] == HAVE;
    }

    /** Whether blocks of this piece are still wanted: it is neither verified nor being verified. */
    public boolean needs(final int piece) {
        checkPiece(piece);
        return state[piece] <= PARTIAL;
    }

    /** Whether every block of the piece has been received (it is being verified, or is verified). */
    public boolean allBlocksReceived(final int piece) {
        checkPiece(piece);
        return state[piece] >= VERIFYING;
    }

    /** Pieces not verified yet (including those being verified). */
    public int missingCount() {
        return missing;
    }

    /** Whether every piece is verified. */
    public boolean isComplete() {
        return missing == 0;
    }

    /** Pieces with some block requested or received but not all received. */
    public int partialCount() {
        return partialCount;
    }

    /** Pieces in progress, counted against {@link #setMaxPartialPieces}: partial plus verifying. */
    public int inProgressCount() {
        return partialCount + verifyingCount;
    }

    /** Blocks of missing pieces that nobody has been asked for. */
    public long unrequestedBlocks() {
        return unrequested;
    }

    /** The number of 16 KiB blocks in {@code piece}. */
    public int blockCount(final int piece) {
        return piece == pieceCount - 1 ? blocksInLastPiece : blocksPerPiece;
    }

    /** Pieces in the torrent. */
    public int pieceCount() {
        return pieceCount;
    }

    // ---------------------------------------------------------------- availability

    /** A peer announced {@code piece} (HAVE, or one bit of its bitfield). */
    public void peerHasPiece(final int piece) {
        checkPiece(piece);
        final int a = availability[piece];
        availability[piece] = a + 1;
        if (state[piece] == CANDIDATE) {
            if (a + 1 > top) {
                growTop(a + 1);
            }
            // Last of bucket a becomes first of bucket a + 1.
            final int last = bucketStart[a + 1] - 1;
            swap(position[piece], last);
            bucketStart[a + 1] = last;
        }
    }

    /** A peer that had {@code piece} is gone (disconnect): the inverse of {@link #peerHasPiece}. */
    public void peerLostPiece(final int piece) {
        checkPiece(piece);
        final int a = availability[piece];
        if (a == 0) {
            throw new IllegalStateException("availability of piece " + piece + " is already 0");
        }
        availability[piece] = a - 1;
        if (state[piece] == CANDIDATE) {
            // First of bucket a becomes last of bucket a - 1.
            final int first = bucketStart[a];
            swap(position[piece], first);
            bucketStart[a] = first + 1;
        }
    }

    /** A seed connected (HAVE ALL or a complete bitfield): counted once, not per piece. */
    public void peerHasAll() {
        seeds++;
    }

    /** A seed disconnected. */
    public void peerRemovedSeed() {
        if (seeds == 0) {
            throw new IllegalStateException("no seed to remove");
        }
        seeds--;
    }

    /** Counts every piece of a peer's bitfield (use {@link #peerHasAll} for a complete one). */
    public void peerHasBitfield(final Bitfield peerHas) {
        checkSize(peerHas);
        for (int i = peerHas.nextSetBit(0); i >= 0; i = peerHas.nextSetBit(i + 1)) {
            peerHasPiece(i);
        }
    }

    /** Uncounts every piece of a departing peer's bitfield. */
    public void peerLostBitfield(final Bitfield peerHad) {
        checkSize(peerHad);
        for (int i = peerHad.nextSetBit(0); i >= 0; i = peerHad.nextSetBit(i + 1)) {
            peerLostPiece(i);
        }
    }

    /** A peer counted piece by piece now has everything: uncount its pieces and count it as a seed. */
    public void peerBecameSeed(final Bitfield peerHad) {
        peerLostBitfield(peerHad);
        peerHasAll();
    }

    /** How many connected peers have {@code piece} (seeds included). */
    public int availability(final int piece) {
        checkPiece(piece);
        return availability[piece] + seeds;
    }

    /** Connected seeds. */
    public int seedCount() {
        return seeds;
    }

    // ---------------------------------------------------------------- interest

    /**
     * Whether the peer has a piece we still need. O(1) for a seed; otherwise walks the pieces in progress
     * and the candidates some non-seed has, stopping at the first match. On a HAVE, {@link #needs} of that
     * one piece is enough to become interested.
     */
    public boolean isInteresting(final PeerView peer) {
        final int needed = candidateCount() + partialCount;
        if (needed == 0) {
            return false;
        }
        if (peer.isSeed()) {
            return true;
        }
        for (int i = 0; i < partialCount; i++) {
            if (peer.has(partials[i])) {
                return true;
            }
        }
        // Bucket 0 holds the candidates no non-seed has (see PeerView).
        final int live = candidateCount();
        for (int i = bucketStart[1]; i < live; i++) {
            if (peer.has(order[i])) {
                return true;
            }
        }
        return false;
    }

    /** Whether a peer with this bitfield has a piece we still need; walks the smaller of the two sets. */
    public boolean isInteresting(final Bitfield peerHas) {
        checkSize(peerHas);
        final int needed = candidateCount() + partialCount;
        if (needed == 0 || peerHas.isEmpty()) {
            return false;
        }
        if (peerHas.isComplete()) {
            return true;
        }
        if (peerHas.cardinality() < needed) {
            for (int i = peerHas.nextSetBit(0); i >= 0; i = peerHas.nextSetBit(i + 1)) {
                if (state[i] <= PARTIAL) {
                    return true;
                }
            }
            return false;
        }
        for (int i = 0; i < partialCount; i++) {
            if (peerHas.get(partials[i])) {
                return true;
            }
        }
        final int live = candidateCount();
        for (int i = 0; i < live; i++) {
            if (peerHas.get(order[i])) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- picking

    /**
     * Whether every block still missing has been requested from some peer: then {@link #pickBlocks}
     * hands out blocks already requested elsewhere, to at most {@link #setEndgameRequesters} peers each.
     */
    public boolean isEndgame() {
        return missing > 0 && unrequested == 0;
    }

    /**
     * Picks up to {@code max} blocks for {@code peer} and marks them requested; each goes to {@code out}
     * as (piece, block). Order: unrequested blocks of pieces in progress, then new pieces (rarest first
     * or sequential, while fewer than the cap are in progress). In the endgame (as of the call) only
     * blocks other peers were asked for, never one this peer has outstanding. Under choke only
     * allowed-fast pieces. Every block emitted must later be answered by
     * {@link #blockReceived} or {@link #requestCancelled}.
     *
     * @return the number of blocks emitted
     */
    public int pickBlocks(final PeerView peer, final int max, final BlockSink out) {
        if (max <= 0) {
            return 0;
        }
        if (scratch.length < max) {
            scratch = new long[Math.max(max, scratch.length * 2)];
        }
        final long[] picked = scratch;
        final int n = pick(peer, max, picked);
        for (int i = 0; i < n; i++) {
            out.block((int) (picked[i] >>> 32), (int) picked[i]);
        }
        return n;
    }

    /**
     * As {@link #pickBlocks(PeerView, int, BlockSink)}, writing each block as {@code (long) piece << 32 | block}
     * into {@code out[0, n)}; at most {@code min(max, out.length)} blocks.
     */
    public int pickBlocks(final PeerView peer, final int max, final long[] out) {
        return pick(peer, Math.min(max, out.length), out);
    }

    private int pick(final PeerView peer, final int max, final long[] out) {
        if (max <= 0 || missing == 0) {
            return 0;
        }
        final boolean seed = peer.isSeed();
        final boolean choked = peer.isChokingUs();
        if (unrequested == 0) {
            // Decided at entry: blocks picked earlier in this call are not yet in the peer's outstanding set.
            return pickEndgame(peer, seed, choked, out, 0, max);
        }
        int n = 0;
        for (int i = 0; i < partialCount && n < max; i++) {
            final int piece = partials[i];
            if (slotUnrequested[slotOf[piece]] > 0 && usable(peer, piece, seed, choked)) {
                n = requestNone(piece, out, n, max);
            }
        }
        if (n < max && inProgressCount() < maxPartialPieces && candidateCount() > 0) {
            n = sequential ? startSequential(peer, seed, choked, out, n, max)
                : startRarest(peer, seed, choked, out, n, max);
        }
        return n;
    }

    private boolean usable(final PeerView peer, final int piece, final boolean seed, final boolean choked) {
        return (seed || peer.has(piece)) && (!choked || peer.isAllowedFast(piece));
    }

    /** Requests the NONE blocks of a partial piece, lowest index first. */
    private int requestNone(final int piece, final long[] out, final int from, final int max) {
        final int slot = slotOf[piece];
        final int base = slot * blocksPerPiece;
        final int count = blockCount(piece);
        final byte[] b = blocks;
        int n = from;
        for (int i = 0; i < count && n < max && slotUnrequested[slot] > 0; i++) {
            if (b[base + i] == NONE) {
                b[base + i] = 1;
                slotUnrequested[slot]--;
                slotRequested[slot]++;
                unrequested--;
                out[n++] = (long) piece << 32 | i;
            }
        }
        return n;
    }

    private int startSequential(final PeerView peer, final boolean seed, final boolean choked,
                                final long[] out, final int from, final int max) {
        while (sequentialCursor < pieceCount && state[sequentialCursor] != CANDIDATE) {
            sequentialCursor++;
        }
        int n = from;
        for (int p = sequentialCursor; p < pieceCount && n < max && inProgressCount() < maxPartialPieces; p++) {
            if (state[p] == CANDIDATE && usable(peer, p, seed, choked)) {
                removeFromOrder(p);
                startPartial(p);
                n = requestNone(p, out, n, max);
            }
        }
        return n;
    }

    private int startRarest(final PeerView peer, final boolean seed, final boolean choked,
                            final long[] out, final int from, final int max) {
        // Pieces only seeds have sit in bucket 0: a non-seed peer cannot have them (see PeerView).
        int startedCount = 0;
        int n = from;
        outer:
        for (int k = seed ? 0 : 1; k <= top; k++) {
            final int s = bucketStart[k];
            final int size = bucketStart[k + 1] - s;
            if (size == 0) {
                continue;
            }
            // Scan the bucket cyclically from a random offset: the tie-break among equally rare pieces.
            // Started pieces stay in the order (state PARTIAL) until the scan ends, so indices stay valid.
            final int offset = random.nextInt(size);
            for (int j = 0; j < size; j++) {
                int idx = s + offset + j;
                if (idx >= s + size) {
                    idx -= size;
                }
                final int piece = order[idx];
                if (state[piece] != CANDIDATE || !usable(peer, piece, seed, choked)) {
                    continue;
                }
                startPartial(piece);
                if (startedCount == started.length) {
                    started = Arrays.copyOf(started, startedCount * 2);
                }
                started[startedCount++] = piece;
                n = requestNone(piece, out, n, max);
                if (n >= max || inProgressCount() >= maxPartialPieces) {
                    break outer;
                }
            }
        }
        for (int i = 0; i < startedCount; i++) {
            removeFromOrder(started[i]);
        }
        return n;
    }

    /** Endgame: blocks requested from fewer than the limit of peers, not from this one; least-requested first. */
    private int pickEndgame(final PeerView peer, final boolean seed, final boolean choked,
                            final long[] out, final int from, final int max) {
        int n = from;
        for (int level = 1; level < endgameRequesters && n < max; level++) {
            for (int i = 0; i < partialCount && n < max; i++) {
                final int piece = partials[i];
                if (!usable(peer, piece, seed, choked)) {
                    continue;
                }
                final int base = slotOf[piece] * blocksPerPiece;
                final int count = blockCount(piece);
                for (int b = 0; b < count && n < max; b++) {
                    if (blocks[base + b] == level && !peer.hasOutstanding(piece, b)
                        && (level == 1 || !pickedThisCall(out, from, n, piece, b))) {
                        blocks[base + b] = (byte) (level + 1);
                        out[n++] = (long) piece << 32 | b;
                    }
                }
            }
        }
        return n;
    }

    private static boolean pickedThisCall(final long[] out, final int from, final int to, final int piece,
                                          final int block) {
        final long key = (long) piece << 32 | block;
        for (int i = from; i < to; i++) {
            if (out[i] == key) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- outcomes

    /**
     * A block arrived. Returns true when the picker took it: the piece still needed it and it was not
     * received before. False means a duplicate (endgame) or a block of a piece already complete or
     * verified: the data is not needed. A block of a candidate piece (late reply to a cancelled request)
     * starts that piece. Use {@link #allBlocksReceived} to learn whether the piece is now complete.
     */
    public boolean blockReceived(final int piece, final int block) {
        checkBlock(piece, block);
        final byte s = state[piece];
        if (s >= VERIFYING) {
            return false;
        }
        if (s == CANDIDATE) {
            removeFromOrder(piece);
            startPartial(piece);
        }
        final int slot = slotOf[piece];
        final int i = slot * blocksPerPiece + block;
        final byte b = blocks[i];
        if (b == RECEIVED) {
            return false;
        }
        if (b == NONE) {
            slotUnrequested[slot]--;
            unrequested--;
        } else {
            slotRequested[slot]--;
        }
        blocks[i] = RECEIVED;
        if (++slotReceived[slot] == blockCount(piece)) {
            dropPartial(piece);
            state[piece] = VERIFYING;
            verifyingCount++;
        }
        return true;
    }

    /**
     * One peer's request for a block is gone without data (time-out, reject, choke, disconnect). The block
     * becomes NONE again when no other peer has it requested; a piece left with nothing requested or
     * received stops being in progress. Ignored for blocks already received.
     */
    public void requestCancelled(final int piece, final int block) {
        checkBlock(piece, block);
        if (state[piece] != PARTIAL) {
            return;
        }
        final int slot = slotOf[piece];
        final int i = slot * blocksPerPiece + block;
        final byte b = blocks[i];
        if (b == NONE || b == RECEIVED) {
            return;
        }
        blocks[i] = (byte) (b - 1);
        if (b == 1) {
            slotRequested[slot]--;
            slotUnrequested[slot]++;
            unrequested++;
            if (slotRequested[slot] == 0 && slotReceived[slot] == 0) {
                dropPartial(piece);
                state[piece] = CANDIDATE;
                insertIntoOrder(piece);
            }
        }
    }

    /** The piece passed its hash check and is stored. */
    public void pieceVerified(final int piece) {
        checkPiece(piece);
        if (state[piece] == VERIFYING) {
            verifyingCount--;
            state[piece] = HAVE;
            missing--;
        } else {
            weHave(piece);
        }
    }

    /**
     * The piece failed its hash check (or could not be written): every block is NONE again and the piece
     * is a candidate, picked again like any other. Banning the contributors is the session's business
     * ({@link HashFailureTracker}).
     */
    public void pieceFailed(final int piece) {
        checkPiece(piece);
        switch (state[piece]) {
            case VERIFYING -> {
                verifyingCount--;
                unrequested += blockCount(piece);
            }
            case PARTIAL -> {
                unrequested += blockCount(piece) - slotUnrequested[slotOf[piece]];
                dropPartial(piece);
            }
            case HAVE -> {
                missing++;
                unrequested += blockCount(piece);
            }
            default -> {
                return;
            }
        }
        state[piece] = CANDIDATE;
        insertIntoOrder(piece);
    }

    // ---------------------------------------------------------------- inspection (tests, status)

    /** Peers a block is requested from: 0 when NONE, received, or its piece is not partial. */
    public int requesters(final int piece, final int block) {
        checkBlock(piece, block);
        if (state[piece] != PARTIAL) {
            return 0;
        }
        final byte b = blocks[slotOf[piece] * blocksPerPiece + block];
        return b == RECEIVED ? 0 : b;
    }

    /** Whether a block is received (true for every block of a complete, verifying or verified piece). */
    public boolean isBlockReceived(final int piece, final int block) {
        checkBlock(piece, block);
        final byte s = state[piece];
        if (s == PARTIAL) {
            return blocks[slotOf[piece] * blocksPerPiece + block] == RECEIVED;
        }
        return s >= VERIFYING;
    }

    /** Whether the piece has requested or received blocks but is not complete. */
    public boolean isPartial(final int piece) {
        checkPiece(piece);
        return state[piece] == PARTIAL;
    }

    /**
     * Checks every internal invariant and throws {@link IllegalStateException} naming the first broken one.
     * O(pieces × blocks): for tests.
     */
    void checkInvariants() {
        final int live = candidateCount();
        final boolean[] seen = new boolean[pieceCount];
        for (int i = 0; i < pieceCount; i++) {
            final int p = order[i];
            if (seen[p] || position[p] != i) {
                throw new IllegalStateException("order/position broken at index " + i + " piece " + p);
            }
            seen[p] = true;
            if ((i < live) != (state[p] == CANDIDATE)) {
                throw new IllegalStateException("piece " + p + " state " + state[p] + " at index " + i
                    + " but live=" + live);
            }
        }
        if (bucketStart[0] != 0) {
            throw new IllegalStateException("bucket 0 starts at " + bucketStart[0]);
        }
        for (int k = 0; k <= top; k++) {
            if (bucketStart[k] > bucketStart[k + 1]) {
                throw new IllegalStateException("bucket " + k + " has negative size");
            }
            for (int i = bucketStart[k]; i < bucketStart[k + 1]; i++) {
                if (availability[order[i]] != k) {
                    throw new IllegalStateException("piece " + order[i] + " with availability "
                        + availability[order[i]] + " in bucket " + k);
                }
            }
        }
        int partial = 0;
        int verifying = 0;
        int miss = 0;
        long none = 0;
        for (int p = 0; p < pieceCount; p++) {
            if (availability[p] < 0) {
                throw new IllegalStateException("negative availability of piece " + p);
            }
            switch (state[p]) {
                case CANDIDATE -> {
                    none += blockCount(p);
                    miss++;
                }
                case PARTIAL -> {
                    partial++;
                    miss++;
                    final int slot = slotOf[p];
                    int u = 0;
                    int r = 0;
                    int v = 0;
                    for (int b = 0; b < blockCount(p); b++) {
                        final byte x = blocks[slot * blocksPerPiece + b];
                        if (x == NONE) {
                            u++;
                        } else if (x == RECEIVED) {
                            v++;
                        } else {
                            r++;
                        }
                    }
                    if (u != slotUnrequested[slot] || r != slotRequested[slot] || v != slotReceived[slot]) {
                        throw new IllegalStateException("block counts of piece " + p + " are off");
                    }
                    if (v == blockCount(p) || (r == 0 && v == 0)) {
                        throw new IllegalStateException("piece " + p + " partial with " + r
                            + " requested and " + v + " received blocks");
                    }
                    none += u;
                }
                case VERIFYING -> {
                    verifying++;
                    miss++;
                }
                default -> {
                    if (slotOf[p] >= 0) {
                        throw new IllegalStateException("verified piece " + p + " holds slot " + slotOf[p]);
                    }
                }
            }
            if (state[p] != PARTIAL && slotOf[p] >= 0) {
                throw new IllegalStateException("piece " + p + " holds a slot but is not partial");
            }
        }
        for (int i = 0; i < partialCount; i++) {
            if (state[partials[i]] != PARTIAL) {
                throw new IllegalStateException("partial list holds piece " + partials[i]);
            }
        }
        if (partial != partialCount || verifying != verifyingCount || miss != missing || none != unrequested) {
            throw new IllegalStateException("counters off: partial " + partial + "/" + partialCount
                + " verifying " + verifying + "/" + verifyingCount + " missing " + miss + "/" + missing
                + " unrequested " + none + "/" + unrequested);
        }
    }

    // ---------------------------------------------------------------- internals

    private int candidateCount() {
        return bucketStart[top + 1];
    }

    private void growTop(final int newTop) {
        if (newTop + 2 > bucketStart.length) {
            bucketStart = Arrays.copyOf(bucketStart, Math.max(newTop + 2, bucketStart.length * 2));
        }
        final int live = bucketStart[top + 1];
        for (int k = top + 2; k <= newTop + 1; k++) {
            bucketStart[k] = live;
        }
        top = newTop;
    }

    /** Moves a candidate out of {@code order[0, live)} by walking it up through the buckets above it. */
    private void removeFromOrder(final int piece) {
        for (int k = availability[piece]; k <= top; k++) {
            final int last = bucketStart[k + 1] - 1;
            swap(position[piece], last);
            bucketStart[k + 1] = last;
        }
    }

    /** Puts a piece back among the candidates, into the bucket of its availability. */
    private void insertIntoOrder(final int piece) {
        final int a = availability[piece];
        if (a > top) {
            growTop(a);
        }
        final int live = bucketStart[top + 1];
        swap(position[piece], live);
        bucketStart[top + 1] = live + 1;
        for (int k = top; k > a; k--) {
            final int first = bucketStart[k];
            swap(position[piece], first);
            bucketStart[k] = first + 1;
        }
        if (piece < sequentialCursor) {
            sequentialCursor = piece;
        }
    }

    private void swap(final int i, final int j) {
        if (i == j) {
            return;
        }
        final int a = order[i];
        final int b = order[j];
        order[i] = b;
        order[j] = a;
        position[a] = j;
        position[b] = i;
    }

    /** Gives a candidate (already out of the order) a slot of block states, all NONE. */
    private void startPartial(final int piece) {
        final int slot = allocateSlot();
        slotOf[piece] = slot;
        final int count = blockCount(piece);
        Arrays.fill(blocks, slot * blocksPerPiece, slot * blocksPerPiece + blocksPerPiece, NONE);
        slotUnrequested[slot] = count;
        slotRequested[slot] = 0;
        slotReceived[slot] = 0;
        state[piece] = PARTIAL;
        partials[partialCount++] = piece;
    }

    /** Ends a piece's partial life: frees its slot and takes it off the list (order kept: oldest first). */
    private void dropPartial(final int piece) {
        final int slot = slotOf[piece];
        slotOf[piece] = -1;
        freeSlots[freeCount++] = slot;
        for (int i = 0; i < partialCount; i++) {
            if (partials[i] == piece) {
                System.arraycopy(partials, i + 1, partials, i, partialCount - i - 1);
                partialCount--;
                return;
            }
        }
        throw new IllegalStateException("piece " + piece + " is not in the partial list");
    }

    private int allocateSlot() {
        if (freeCount > 0) {
            return freeSlots[--freeCount];
        }
        if (nextFreshSlot == slotCapacity) {
            // Grows rarely: the number of pieces in progress is bounded by the staging slots.
            final int capacity = Math.min(pieceCount, Math.max(16, slotCapacity * 2));
            blocks = Arrays.copyOf(blocks, capacity * blocksPerPiece);
            slotUnrequested = Arrays.copyOf(slotUnrequested, capacity);
            slotRequested = Arrays.copyOf(slotRequested, capacity);
            slotReceived = Arrays.copyOf(slotReceived, capacity);
            freeSlots = Arrays.copyOf(freeSlots, capacity);
            slotCapacity = capacity;
        }
        return nextFreshSlot++;
    }

    private void checkPiece(final int piece) {
        if (piece < 0 || piece >= pieceCount) {
            throw new IndexOutOfBoundsException("piece " + piece + " outside 0.." + (pieceCount - 1));
        }
    }

    private void checkBlock(final int piece, final int block) {
        checkPiece(piece);
        if (block < 0 || block >= blockCount(piece)) {
            throw new IndexOutOfBoundsException(
                "block " + block + " outside 0.." + (blockCount(piece) - 1) + " of piece " + piece);
        }
    }

    private void checkSize(final Bitfield bits) {
        if (bits.size() != pieceCount) {
            throw new IllegalArgumentException("bitfield of " + bits.size() + " pieces for a torrent of "
                + pieceCount);
        }
    }
}
