package ccbt.pipeline.ring;

import ccbt.core.hash.Sha1;
import ccbt.core.hash.Sha1Pair;
import ccbt.telemetry.Counter;
import ccbt.telemetry.StageLatency;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;


/**
 * Hash-verify: SHA-1 over the staged piece. One handler per shard; the ring's events go to the shards two by two
 * (events {@code 2i} and {@code 2i + 1} to shard {@code i} modulo {@code n}), so the shards hash in parallel, each
 * piece once, and a shard's next piece is normally the very next one published.
 *
 * <p>Where {@link Sha1Pair} is available, a shard hashes two of its pieces at once when a second one of the same
 * length is published behind the first (it looks up to {@link #LOOKAHEAD} events ahead): a pair costs about two
 * thirds of two single hashes. The second piece's verdict is stored in its event, which the shard then passes
 * without hashing it again. A shard whose next piece is not there yet waits for it, parked, for up to twice the
 * recent time between pieces (at most {@link #MAX_PARTNER_WAIT_NANOS}): downloads are rarely bound by hashing,
 * so a short delay of the first piece costs no throughput, while hashing alone would cost CPU. (Sharded by piece
 * index instead, a shard's next piece came two publications later, often beyond that wait: a sixth of a 1 GiB
 * download's pieces went alone.)
 */
final class HashVerifyStage implements EventHandler<PieceEvent> {
    /** How far ahead of its piece a shard looks for a partner; the ring holds every staging slot, so a few suffice. */
    static final int LOOKAHEAD = 16;
    /** The longest a piece waits for a partner; pieces further apart are hashed alone. */
    static final long MAX_PARTNER_WAIT_NANOS = 10_000_000;

    private final int shard;
    private final int shardCount;
    private final RingBuffer<PieceEvent> ring;
    private final Sha1 sha1;
    private final Sha1Pair pair;
    private final byte[] digests = new byte[2 * Sha1.LENGTH];
    private final StageLatency latency;
    private final Counter pairedPieces;
    private final BackoffWaitStrategy waits;
    private Sequence progress;
    /** Set by {@link #partnerPublished}: the partner found for the piece being hashed. */
    private PieceEvent found;
    private long waitingSequence;
    private int waitingLength;
    private final BooleanSupplier partnerPublished = this::partnerPublished;
    /** When the previous piece was published, and a moving average of the time between pieces. */
    private long lastPublishedNanos;
    private long intervalNanos = MAX_PARTNER_WAIT_NANOS;

    HashVerifyStage(final int shard, final int shardCount, final RingBuffer<PieceEvent> ring, final StageLatency latency,
                    final Counter pairedPieces, final BackoffWaitStrategy waits) {
        this.shard = shard;
        this.waits = waits;
        this.shardCount = shardCount;
        this.ring = ring;
        this.latency = latency;
        this.pairedPieces = pairedPieces;
        this.sha1 = Sha1.create();
        this.pair = Sha1Pair.isAvailable() ? Sha1Pair.create() : null;
    }

    @Override
    public void setSequenceCallback(final Sequence sequenceCallback) {
        this.progress = sequenceCallback;
    }

    @Override
    public void onEvent(final PieceEvent event, final long sequence, final boolean endOfBatch) {
        pieceArrived(event);
        if (!hashes(sequence) || event.hashedAhead) {
            // Passed at once, not at the end of this shard's batch (which may hash a piece after it): the
            // next stage waits for every shard. A piece hashed ahead with its partner has its verdict already.
            progress.setVolatile(sequence);
            waits.stageAdvanced(1);
            return;
        }
        // The staging slot's own buffer: only this stage holds the event now, so hashing may move its position,
        // which is put back for the next stages (no duplicate per piece).
        final ByteBuffer data = event.data;
        final int length = data.limit();
        final PieceEvent partner = pair != null ? awaitPartner(sequence, length) : null;
        final long start = System.nanoTime();
        if (partner != null) {
            pair.update(data.position(0), partner.data.position(0));
            partner.data.position(0);
            pair.digest(digests, 0, digests, Sha1.LENGTH);
            event.verified = event.target.matches(event.piece, digests, 0);
            partner.verified = partner.target.matches(partner.piece, digests, Sha1.LENGTH);
            partner.hashedAhead = true;
        } else {
            sha1.update(data.position(0));
            sha1.digest(digests, 0);
            event.verified = event.target.matches(event.piece, digests, 0);
        }
        data.limit(length).position(0);
        final long end = System.nanoTime();
        if (partner != null) {
            // Each piece of a pair is charged half of its time; the partner's wait ends when its hashing starts.
            latency.record(start - event.publishedNanos, (end - start) / 2);
            latency.record(start - partner.publishedNanos, (end - start) / 2);
            partner.stageDoneNanos = end;
            pairedPieces.add(2);
        } else {
            latency.record(start - event.publishedNanos, end - start);
        }
        event.stageDoneNanos = end;
        progress.setVolatile(sequence);
        waits.stageAdvanced(1);
    }

    /** Whether this shard hashes the event at {@code sequence}. */
    private boolean hashes(final long sequence) {
        return (sequence >>> 1) % shardCount == shard;
    }

    /** Keeps the recent time between publications up to date; every shard sees every event. */
    private void pieceArrived(final PieceEvent event) {
        final long interval = event.publishedNanos - lastPublishedNanos;
        lastPublishedNanos = event.publishedNanos;
        intervalNanos = (3 * intervalNanos + Math.clamp(interval, 0, 2 * MAX_PARTNER_WAIT_NANOS)) / 4;
    }

    /** A partner for the piece at {@code sequence}, waiting for one while pieces come close enough together. */
    private PieceEvent awaitPartner(final long sequence, final int length) {
        waitingSequence = sequence;
        waitingLength = length;
        if (!partnerPublished()) {
            final long wait = 2 * intervalNanos;
            if (wait <= MAX_PARTNER_WAIT_NANOS) {
                waits.awaitPublished(partnerPublished, System.nanoTime() + wait);
            }
        }
        final PieceEvent partner = found;
        found = null;
        return partner;
    }

    private boolean partnerPublished() {
        found = partnerOf(waitingSequence, waitingLength);
        return found != null;
    }

    /**
     * The first published event within {@link #LOOKAHEAD} after {@code sequence} that this shard will hash, has not
     * been hashed ahead, and holds a piece of {@code length} bytes; null if none. Events up to the first one not yet
     * published are stable: a publisher fills an event before publishing it and cannot reuse it until every stage
     * passed it.
     */
    private PieceEvent partnerOf(final long sequence, final int length) {
        for (long s = sequence + 1; s <= sequence + LOOKAHEAD && ring.isAvailable(s); s++) {
            final PieceEvent e = ring.get(s);
            if (hashes(s) && !e.hashedAhead && e.data.limit() == length) {
                return e;
            }
        }
        return null;
    }
}
