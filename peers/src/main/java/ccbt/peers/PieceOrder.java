package ccbt.peers;

import java.util.List;

/** Checks on the order in which a download completed its pieces (sequential and streaming modes). */
public final class PieceOrder {
    private PieceOrder() {
    }

    /**
     * The most any piece completed ahead of the lowest piece still missing at that moment: 0 for a download in
     * strict order, up to about the pipeline depth in pieces for a sequential one, most of the torrent for
     * rarest-first.
     */
    public static int furthestAheadOfFirstMissing(final List<Integer> completionOrder, final int pieces) {
        final boolean[] done = new boolean[pieces];
        int firstMissing = 0;
        int worst = 0;
        for (final int piece : completionOrder) {
            worst = Math.max(worst, piece - firstMissing);
            done[piece] = true;
            while (firstMissing < pieces && done[firstMissing]) {
                firstMissing++;
            }
        }
        return worst;
    }
}
