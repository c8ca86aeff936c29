package ccbt.pipeline.picker;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestPipelineTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    @Test
    void tracksOutstandingRequests() {
        final RequestPipeline p = new RequestPipeline(16, 64);
        assertThat(p.room()).isEqualTo(16);
        assertThat(p.add(3, 0, 0)).isTrue();
        assertThat(p.add(3, 1, 0)).isTrue();
        assertThat(p.add(3, 1, 0)).as("duplicate").isFalse();
        assertThat(p.outstanding()).isEqualTo(2);
        assertThat(p.room()).isEqualTo(14);
        assertThat(p.contains(3, 1)).isTrue();
        assertThat(p.contains(1, 3)).isFalse();
        assertThat(p.remove(3, 1, 10 * MS)).isTrue();
        assertThat(p.remove(3, 1, 10 * MS)).as("already gone").isFalse();
        assertThat(p.cancel(3, 0)).isTrue();
        assertThat(p.cancel(3, 0)).isFalse();
        assertThat(p.outstanding()).isZero();
        assertThat(p.rttNanos()).isEqualTo(10 * MS);
    }

    @Test
    void expiresTheOldestRequestsAndSnubsThePeer() {
        final RequestPipeline p = new RequestPipeline(16, 64);
        p.add(1, 0, 0);
        p.add(1, 1, 0);
        p.add(1, 2, 1 * S);
        p.add(2, 0, 5 * S);
        p.add(2, 1, 5 * S);
        final List<String> expired = new ArrayList<>();
        assertThat(p.expire(8 * S, 8 * S, (piece, block) -> expired.add(piece + "/" + block))).isEqualTo(2);
        assertThat(expired).containsExactly("1/0", "1/1");
        assertThat(p.snubbed(8 * S)).isTrue();
        assertThat(p.depth()).isEqualTo(1);
        assertThat(p.room()).isZero();
        assertThat(p.expire(8 * S, 8 * S, (piece, block) -> expired.add("again"))).isZero();
        // a cancel is no delivery: still snubbed
        p.cancel(2, 0);
        assertThat(p.snubbed(8 * S)).isTrue();
        assertThat(p.remove(2, 1, 9 * S)).isTrue();
        assertThat(p.snubbed(9 * S)).isFalse();
        assertThat(p.room()).isEqualTo(15);
    }

    @Test
    void requestsOutstandingWithNoBlockForTheStallTimeSnubThePeerButLeaveTheDepth() {
        final long stall = RequestPipeline.STALL_NANOS;
        final long t0 = 100 * S;
        final RequestPipeline p = new RequestPipeline(16, 64);
        assertThat(p.snubbed(t0)).as("nothing outstanding").isFalse();
        p.add(1, 0, t0);
        assertThat(p.snubbed(t0 + stall)).isFalse();
        assertThat(p.snubbed(t0 + stall + 1)).isTrue();
        assertThat(p.depth()).as("only time-outs shrink the depth").isEqualTo(16);
        // Rejected and asked again, without a block in between: the stall goes on from the first request.
        p.cancel(1, 0);
        assertThat(p.snubbed(t0 + stall + 1)).as("nothing outstanding").isFalse();
        p.add(1, 1, t0 + stall);
        assertThat(p.snubbed(t0 + stall + 1)).isTrue();
        // A block ends the stall; the next one counts from it.
        assertThat(p.remove(1, 1, t0 + stall + 2)).isTrue();
        assertThat(p.snubbed(t0 + stall + 2)).isFalse();
        p.add(2, 0, t0 + stall + 3);
        assertThat(p.snubbed(t0 + 2 * stall + 2)).isFalse();
        assertThat(p.snubbed(t0 + 2 * stall + 3)).isTrue();
    }

    @Test
    void expiresIntoAnArrayAtMostItsLength() {
        final RequestPipeline p = new RequestPipeline(4, 8);
        for (int b = 0; b < 5; b++) {
            p.add(7, b, b * MS);
        }
        final long[] out = new long[3];
        assertThat(p.expire(10 * S, S, out)).isEqualTo(3);
        assertThat(out).containsExactly(7L << 32, 7L << 32 | 1, 7L << 32 | 2);
        assertThat(p.expire(10 * S, S, out)).isEqualTo(2);
        assertThat(out[0]).isEqualTo(7L << 32 | 3);
        assertThat(p.outstanding()).isZero();
    }

    @Test
    void keepsRequestOrderAsTheRingWrapsAndGrowsPastItsFirstCapacity() {
        final RequestPipeline p = new RequestPipeline(16, 500);
        for (int b = 0; b < 60; b++) {
            p.add(0, b, b * MS);
        }
        for (int b = 0; b < 50; b++) {
            assertThat(p.remove(0, b, S)).isTrue();
        }
        // 10 left at the ring's end; these wrap to its start, then grow it twice (64 -> 256)
        for (int b = 0; b < 200; b++) {
            assertThat(p.add(1, b, 100 * MS + b * MS)).isTrue();
        }
        assertThat(p.outstanding()).isEqualTo(210);
        // a delivery from the middle moves the shorter side; order stays
        assertThat(p.remove(1, 150, S)).isTrue();
        assertThat(p.remove(0, 55, S)).isTrue();
        final List<String> expired = new ArrayList<>();
        assertThat(p.expire(S + 105 * MS, S, (piece, block) -> expired.add(piece + "/" + block))).isEqualTo(15);
        assertThat(expired).containsExactly("0/50", "0/51", "0/52", "0/53", "0/54", "0/56", "0/57", "0/58", "0/59",
            "1/0", "1/1", "1/2", "1/3", "1/4", "1/5");
        final List<String> rest = new ArrayList<>();
        p.drain((piece, block) -> rest.add(piece + "/" + block));
        assertThat(rest).hasSize(193).startsWith("1/6", "1/7").endsWith("1/198", "1/199").doesNotContain("1/150");
    }

    @Test
    void depthGrowsPast64WithinAFewRoundsWhenThePeerAnswersInRounds() {
        // A peer that answers every request it holds once per 500 ms round (transmission's pulse): 64 requests
        // would cap it at 128 blocks/s (2 MiB/s). The depth must follow the rate up to the peer's reqq, and soon:
        // creeping up by a quarter of the gap per window took 11 s from 16 to 430 in the bench.
        final RequestPipeline p = new RequestPipeline(16, 500);
        p.setPeerLimit(400);
        long now = 0;
        int next = 0;
        int rounds = 0;
        while (p.depth() < 400 && rounds < 40) {
            for (int r = p.room(); r > 0; r--) {
                assertThat(p.add(next >>> 6, next & 63, now)).isTrue();
                next++;
            }
            now += 500 * MS;
            // the round delivers everything outstanding, spread over 10 ms
            final int n = p.outstanding();
            for (int i = 0; i < n; i++) {
                final int k = next - n + i;
                assertThat(p.remove(k >>> 6, k & 63, now + i * 10 * MS / n)).isTrue();
            }
            now += 10 * MS;
            rounds++;
        }
        assertThat(p.depth()).isEqualTo(400);
        assertThat(rounds).as("rounds of 500 ms from 16 to 400").isLessThanOrEqualTo(ROUNDS_TO_FULL_DEPTH);
    }

    /** From depth 16, rounds of 500 ms until the pulse peer's reqq of 400: each round doubles at least. */
    private static final int ROUNDS_TO_FULL_DEPTH = 6;

    @Test
    void drainsEverythingInOrder() {
        final RequestPipeline p = new RequestPipeline(4, 8);
        p.add(1, 1, 0);
        p.add(0, 2, 0);
        p.add(5, 0, 0);
        p.remove(0, 2, MS);
        final List<String> all = new ArrayList<>();
        p.drain((piece, block) -> all.add(piece + "/" + block));
        assertThat(all).containsExactly("1/1", "5/0");
        assertThat(p.outstanding()).isZero();
        assertThat(p.room()).isEqualTo(4);
    }

    @Test
    void neverExceedsThePeersRequestLimit() {
        final RequestPipeline p = new RequestPipeline(16, 64);
        p.setPeerLimit(5);
        assertThat(p.room()).isEqualTo(5);
        for (int b = 0; b < 5; b++) {
            assertThat(p.add(0, b, 0)).isTrue();
        }
        assertThat(p.add(0, 5, 0)).isFalse();
        assertThat(p.room()).isZero();
        final RequestPipeline q = new RequestPipeline(2, 3);
        q.add(0, 0, 0);
        q.add(0, 1, 0);
        q.add(0, 2, 0);
        assertThat(q.add(0, 3, 0)).as("max depth is a hard cap").isFalse();
    }

    @Test
    void depthFollowsRateTimesQueueTime() {
        // 40 blocks/s (640 KiB/s) over a 100 ms round trip: 120 blocks cover the 3 s budget.
        assertThat(simulate(40, 100 * MS, 20 * S, 16, 256)).isBetween(114, 129);
        // fast link: clamped to the maximum
        assertThat(simulate(5000, 5 * MS, 5 * S, 16, 64)).isEqualTo(64);
        // slow link: the minimum
        assertThat(simulate(4, 50 * MS, 30 * S, 16, 64)).isEqualTo(16);
    }

    @Test
    void depthGrowsFromTheMinimumWhenThePipelineIsTheBottleneck() {
        // 16 requests over a 400 ms round trip allow 40 blocks/s, but the link could do 200.
        final int depth = simulate(200, 400 * MS, 30 * S, 16, 256);
        // enough to keep the link busy: rate × RTT = 80 blocks at least
        assertThat(depth).isGreaterThanOrEqualTo(80);
    }

    /**
     * A peer serving requests first-in first-out at {@code blocksPerSecond}, half the round trip each way;
     * we refill the pipeline to its room on every block. Returns the depth at the end.
     */
    private static int simulate(final int blocksPerSecond, final long rttNanos, final long durationNanos,
                                final int min, final int max) {
        final RequestPipeline p = new RequestPipeline(min, max);
        final long service = S / blocksPerSecond;
        final ArrayDeque<long[]> inFlight = new ArrayDeque<>();
        long peerFreeAt = 0;
        long now = 0;
        int next = 0;
        while (now < durationNanos) {
            for (int r = p.room(); r > 0; r--) {
                final int piece = next >>> 4;
                final int block = next & 15;
                next++;
                assertThat(p.add(piece, block, now)).isTrue();
                peerFreeAt = Math.max(peerFreeAt, now + rttNanos / 2) + service;
                inFlight.add(new long[] {peerFreeAt + rttNanos / 2, piece, block});
            }
            final long[] arrival = inFlight.poll();
            now = arrival[0];
            assertThat(p.remove((int) arrival[1], (int) arrival[2], now)).isTrue();
        }
        assertThat(p.blocksPerSecond()).isPositive();
        return p.depth();
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new RequestPipeline(0, 4)).hasMessageContaining("min=0");
        assertThatThrownBy(() -> new RequestPipeline(8, 4)).hasMessageContaining("max=4");
        assertThatThrownBy(() -> new RequestPipeline(1, 4).setPeerLimit(0)).hasMessageContaining("reqq=0");
    }
}
