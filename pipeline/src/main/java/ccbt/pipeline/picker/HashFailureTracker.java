package ccbt.pipeline.picker;

import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.IntHashSet;

import java.util.Arrays;

/**
 * Decides which peers to ban for sending data that fails its hash check.
 *
 * <ul>
 *   <li>A peer that was the sole contributor of a failed piece is banned at once: the bad data can only
 *       be its own.</li>
 *   <li>Otherwise every contributor gets one failure, and a peer reaching {@code failuresToBan} failures
 *       is banned. An honest peer that shares pieces with a liar collects failures too, hence:</li>
 *   <li>Forgiveness: while a peer has failures, each verified piece it contributed to earns a credit, and
 *       {@link #CREDITS_PER_FORGIVENESS} credits cancel one failure. Credits are not banked while a peer
 *       has no failures, so good pieces sent earlier cannot pay for bad ones later. A liar that mixes
 *       bad blocks into good pieces must send about eight good pieces per failure to stay unbanned, and
 *       is banned outright the first time it delivers a whole bad piece alone.</li>
 * </ul>
 * Peer ids are the session's; bans are remembered until {@link #forget}. Not thread-safe.
 */
public final class HashFailureTracker {
    /** Verified pieces that cancel one failure. */
    public static final int CREDITS_PER_FORGIVENESS = 8;

    private final int failuresToBan;
    private final Int2IntHashMap failures = new Int2IntHashMap(0);
    private final Int2IntHashMap credits = new Int2IntHashMap(0);
    private final IntHashSet banned = new IntHashSet();
    private final IntHashSet distinct = new IntHashSet();
    private final IntArrayList newlyBanned = new IntArrayList();

    /** @param failuresToBan failed pieces (shared with other peers) after which a peer is banned; at least 1 */
    public HashFailureTracker(final int failuresToBan) {
        if (failuresToBan < 1) {
            throw new IllegalArgumentException("failuresToBan=" + failuresToBan + " must be at least 1");
        }
        this.failuresToBan = failuresToBan;
    }

    /**
     * A piece failed its hash check; {@code contributorIds} are the peers that sent its blocks (repeats
     * allowed). Returns the ids to ban now (not those banned before), in first-seen order.
     */
    public int[] pieceFailed(final int piece, final int[] contributorIds) {
        distinct.clear();
        for (final int id : contributorIds) {
            distinct.add(id);
        }
        final boolean sole = distinct.size() == 1;
        newlyBanned.clear();
        distinct.clear();
        for (final int id : contributorIds) {
            if (distinct.add(id) && !banned.contains(id) && pieceFailed(id, sole)) {
                newlyBanned.addInt(id);
            }
        }
        return newlyBanned.toIntArray();
    }

    /** As {@link #pieceFailed(int, int[])} with the contributors in an agrona list. */
    public int[] pieceFailed(final int piece, final IntArrayList contributorIds) {
        return pieceFailed(piece, contributorIds.toIntArray());
    }

    /**
     * One contributor of a failed piece: counts a failure (bans at once when it was the sole contributor).
     * Returns whether the peer is banned — now or before.
     */
    public boolean pieceFailed(final int peerId, final boolean soleContributor) {
        if (banned.contains(peerId)) {
            return true;
        }
        final int count = failures.get(peerId) + 1;
        failures.put(peerId, count);
        if (soleContributor || count >= failuresToBan) {
            banned.add(peerId);
            return true;
        }
        return false;
    }

    /** A piece passed its hash check: each distinct contributor earns forgiveness credit. */
    public void pieceVerified(final int piece, final int[] contributorIds) {
        distinct.clear();
        for (final int id : contributorIds) {
            if (distinct.add(id)) {
                pieceVerified(id);
            }
        }
    }

    /** One contributor of a verified piece (call once per piece per peer). */
    public void pieceVerified(final int peerId) {
        final int f = failures.get(peerId);
        if (f == 0 || banned.contains(peerId)) {
            return;
        }
        final int c = credits.get(peerId) + 1;
        if (c >= CREDITS_PER_FORGIVENESS) {
            credits.remove(peerId);
            if (f == 1) {
                failures.remove(peerId);
            } else {
                failures.put(peerId, f - 1);
            }
        } else {
            credits.put(peerId, c);
        }
    }

    /** Failures currently counted against the peer. */
    public int failures(final int peerId) {
        return failures.get(peerId);
    }

    /** Whether the peer has been banned. */
    public boolean isBanned(final int peerId) {
        return banned.contains(peerId);
    }

    /** Drops everything known about a peer (it left and its id will not come back). */
    public void forget(final int peerId) {
        failures.remove(peerId);
        credits.remove(peerId);
        banned.remove(peerId);
    }

    @Override
    public String toString() {
        final int[] ids = banned.stream().mapToInt(Integer::intValue).sorted().toArray();
        return "HashFailureTracker[ban after " + failuresToBan + ", banned " + Arrays.toString(ids) + "]";
    }
}
