package ccbt.pipeline.choke;

/** What a choke round needs to know about one connected peer. Rates are payload bytes per second. */
public interface ChokeCandidate {
    /** The session's id of the peer. */
    int id();

    /** Whether the peer is interested in our pieces (only interested peers are unchoked). */
    boolean interested();

    /** Recent payload rate from the peer to us: the tit-for-tat ranking while we download. */
    double downloadRateToUs();

    /** Recent payload rate from us to the peer: the ranking while we seed. */
    double uploadRateToThem();

    /** When the connection was established ({@link System#nanoTime} clock). */
    long connectedAtNanos();

    /** Whether the peer has every piece: it needs nothing from us. */
    boolean isSeed();

    /** Whether the peer let our requests time out: never given a regular slot. */
    boolean snubbed();
}
