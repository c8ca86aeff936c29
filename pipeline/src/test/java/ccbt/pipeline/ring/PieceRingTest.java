package ccbt.pipeline.ring;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.hash.Sha1;
import ccbt.core.hash.Sha1Pair;
import ccbt.telemetry.Metrics;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/** Pieces through the real ring: every verdict right whether a piece was hashed alone or in a pair. */
@Timeout(60)
class PieceRingTest {
    private static final int PIECE = 256 * 1024;

    /** A torrent of {@code pieces} pieces (the last one shorter) with its expected hashes; records outcomes. */
    static final class Torrent implements PieceTarget {
        final String name;
        final ByteBuffer[] data;
        final byte[] hashes;
        final Map<Integer, PieceOutcome> outcomes = new ConcurrentHashMap<>();
        final CountDownLatch done;

        Torrent(final String name, final int pieces, final long seed, final CountDownLatch done) {
            this.name = name;
            this.done = done;
            this.data = new ByteBuffer[pieces];
            this.hashes = new byte[pieces * Sha1.LENGTH];
            final SplittableRandom random = new SplittableRandom(seed);
            final Sha1 sha1 = Sha1.jdk();
            for (int p = 0; p < pieces; p++) {
                final byte[] bytes = new byte[p == pieces - 1 ? PIECE / 3 + 5 : PIECE];
                random.nextBytes(bytes);
                data[p] = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
                sha1.update(bytes, 0, bytes.length);
                sha1.digest(hashes, p * Sha1.LENGTH);
            }
        }

        @Override
        public boolean matches(final int piece, final byte[] digest, final int offset) {
            return java.util.Arrays.equals(digest, offset, offset + Sha1.LENGTH, hashes, piece * Sha1.LENGTH,
                (piece + 1) * Sha1.LENGTH);
        }

        @Override
        public void write(final int piece, final ByteBuffer d, final boolean direct) {
            assertThat(d.position()).as("%s piece %d reaches the writer at position 0", name, piece).isZero();
            assertThat(d.limit()).isEqualTo(data[piece].capacity());
        }

        @Override
        public void pieceDone(final int piece, final int slot, final PieceOutcome outcome, final Throwable failure) {
            outcomes.put(piece, outcome);
            done.countDown();
        }
    }

    /**
     * Two torrents interleaved, some pieces corrupted (in one torrent's expected hashes or in the staged bytes),
     * published faster than two shards hash: every piece comes out WRITTEN or HASH_FAILED as its bytes deserve, and
     * where the pair hasher is available some pieces were hashed in pairs.
     */
    @ParameterizedTest
    @ValueSource(ints = {PieceRing.DISK_WRITERS_DIRECT, PieceRing.DISK_WRITERS_BUFFERED})
    void everyVerdictIsRightAloneOrInPairs(final int diskWriters) throws Exception {
        final int pieces = 96;
        final CountDownLatch done = new CountDownLatch(2 * pieces);
        final Torrent a = new Torrent("a", pieces, 1, done);
        final Torrent b = new Torrent("b", pieces, 2, done);
        for (final int p : new int[] {3, 10, 11, 50, pieces - 1}) {
            a.hashes[p * Sha1.LENGTH + 7] ^= 1;
        }
        for (final int p : new int[] {0, 21, 64}) {
            b.data[p].put(100, (byte) (b.data[p].get(100) ^ 0x40));
        }
        final Metrics metrics = new Metrics();
        try (PieceRing ring = new PieceRing(64, 2, diskWriters, metrics)) {
            int slot = 0;
            for (int p = 0; p < pieces; p++) {
                for (final Torrent t : new Torrent[] {a, b}) {
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    // a full ring refuses: wait for the stages to make room
                    while (!ring.publish(t, p, slot % 64, t.data[p])) {
                        assertThat(System.nanoTime()).as("the ring makes room").isLessThan(deadline);
                        Thread.onSpinWait();
                    }
                    slot++;
                }
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        }
        for (int p = 0; p < pieces; p++) {
            final boolean aBad = p == 3 || p == 10 || p == 11 || p == 50 || p == pieces - 1;
            final boolean bBad = p == 0 || p == 21 || p == 64;
            assertThat(a.outcomes.get(p)).as("a piece %d", p).isEqualTo(aBad ? PieceOutcome.HASH_FAILED : PieceOutcome.WRITTEN);
            assertThat(b.outcomes.get(p)).as("b piece %d", p).isEqualTo(bBad ? PieceOutcome.HASH_FAILED : PieceOutcome.WRITTEN);
        }
        final long paired = metrics.counter(PieceRing.PAIRED_PIECES, "").get();
        if (Sha1Pair.isAvailable()) {
            assertThat(paired).as("pieces hashed in pairs").isPositive().isEven();
        } else {
            assertThat(paired).isZero();
        }
    }

    /**
     * Pieces published two at a time, 8 ms apart, with two shards: each piece's partner is the one published right
     * after it, which the same shard hashes, so many go in pairs: 16-28 of 32 in runs on an idle and a loaded
     * machine. Had the shards split the pieces by index, a shard's next piece would come 8 ms later, and twice that
     * exceeds the longest wait: none went in pairs.
     */
    @org.junit.jupiter.api.Test
    void eachPieceGoesInAPairWithTheOnePublishedAfterIt() throws Exception {
        if (!Sha1Pair.isAvailable()) {
            return;
        }
        final int pieces = 33;
        final CountDownLatch done = new CountDownLatch(pieces);
        final Torrent t = new Torrent("paced", pieces, 3, done);
        final Metrics metrics = new Metrics();
        try (PieceRing ring = new PieceRing(64, 2, PieceRing.DISK_WRITERS_BUFFERED, metrics)) {
            for (int p = 0; p < pieces; p++) {
                assertThat(ring.publish(t, p, p, t.data[p])).isTrue();
                if (p % 2 == 1) {
                    Thread.sleep(8);
                }
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        }
        for (int p = 0; p < pieces; p++) {
            assertThat(t.outcomes.get(p)).as("piece %d", p).isEqualTo(PieceOutcome.WRITTEN);
        }
        // 32 pieces of one length (the last is shorter). Not all pair: the first come before the shards know the
        // pace, and a publisher descheduled between the two pieces of a pair outlasts the wait.
        assertThat(metrics.counter(PieceRing.PAIRED_PIECES, "").get()).as("pieces hashed in pairs").isGreaterThanOrEqualTo(8);
    }
}
