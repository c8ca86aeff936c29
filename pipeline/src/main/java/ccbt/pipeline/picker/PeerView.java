package ccbt.pipeline.picker;

/**
 * What the picker needs to know about one peer while picking for it. Implemented by the session's peer
 * state; every method must be cheap (called per candidate piece or block).
 *
 * <p>Contract with the availability counts: a peer that is not a seed must have had each of its pieces
 * counted with {@link PiecePicker#peerHasPiece} (or {@link PiecePicker#peerHasBitfield}); a seed is counted
 * once with {@link PiecePicker#peerHasAll}. The picker relies on it to skip pieces nobody but seeds has.
 */
public interface PeerView {
    /** Whether the peer has {@code piece} (true for every piece when it is a seed). */
    boolean has(int piece);

    /** Whether the peer has every piece (BEP 6 HAVE ALL or a full bitfield). */
    boolean isSeed();

    /** Whether the peer chokes us: then only its allowed-fast pieces may be requested (BEP 6). */
    boolean isChokingUs();

    /** Whether the peer told us {@code piece} is allowed fast (requestable while choked, BEP 6). */
    boolean isAllowedFast(int piece);

    /** Whether we have a request for this block outstanding with this peer (its request pipeline). */
    boolean hasOutstanding(int piece, int block);

    /** A session-unique id of the peer (for logs and the hash-failure tracker). */
    int id();
}
