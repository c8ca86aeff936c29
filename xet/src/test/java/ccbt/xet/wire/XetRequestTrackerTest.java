package ccbt.xet.wire;

import static ccbt.xet.wire.XetMessageCodecTest.hashOf;
import static ccbt.xet.wire.XetMessageCodecTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.xet.hash.XetHash;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class XetRequestTrackerTest {
    private static final long SECOND = 1_000_000_000L;

    private static XetHash h(final int i) {
        return hashOf(random(16, i));
    }

    @Test
    void boundsOutstandingRequestsAndGivesDistinctIds() {
        final XetRequestTracker t = new XetRequestTracker(XetRequestTracker.DEFAULT_MAX_OUTSTANDING, 30 * SECOND);
        final Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 64; i++) {
            assertThat(t.canRequest()).isTrue();
            ids.add(i % 2 == 0 ? t.requestChunk(h(i), 0) : t.requestChunkList(i, 0));
        }
        assertThat(ids).hasSize(64);
        assertThat(t.outstanding()).isEqualTo(64);
        assertThat(t.canRequest()).isFalse();
        assertThatThrownBy(() -> t.requestChunk(h(99), 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already 64 ut_xet requests outstanding (limit 64)");
    }

    @Test
    void matchesEachResponseToItsRequestOnce() {
        final XetRequestTracker t = new XetRequestTracker(8, SECOND);
        final int a = t.requestChunk(h(1), 0);
        final int b = t.requestChunkList(4, 0);
        assertThat(t.kindOf(a)).isEqualTo(XetRequestTracker.KIND_CHUNK);
        assertThat(t.kindOf(b)).isEqualTo(XetRequestTracker.KIND_CHUNK_LIST);
        assertThat(t.takeChunk(a)).isEqualTo(h(1));
        assertThat(t.takeChunkList(b)).isEqualTo(4);
        assertThat(t.outstanding()).isZero();
        // a second response to the same id is one we did not ask for
        assertThatThrownBy(() -> t.takeChunk(a)).isInstanceOf(XetWireException.class)
                .hasMessageContaining("response to request id " + a + ", which is not outstanding");
    }

    @Test
    void aResponseToAnUnknownIdIsAProtocolError() {
        final XetRequestTracker t = new XetRequestTracker(4, SECOND);
        final int id = t.requestChunk(h(1), 0);
        for (final int bogus : new int[] {id + 1, id + 4, -1, 0x7FFF_FFFF}) {
            assertThatThrownBy(() -> t.takeChunk(bogus)).isInstanceOf(XetWireException.class)
                    .hasMessageContaining("request id " + Integer.toUnsignedString(bogus));
            assertThatThrownBy(() -> t.kindOf(bogus)).isInstanceOf(XetWireException.class);
        }
        assertThat(t.outstanding()).isEqualTo(1); // the real request is untouched
        assertThat(t.takeChunk(id)).isEqualTo(h(1));
    }

    @Test
    void aResponseOfTheWrongKindIsAProtocolErrorAndKeepsTheRequest() {
        final XetRequestTracker t = new XetRequestTracker(4, SECOND);
        final int chunk = t.requestChunk(h(1), 0);
        final int list = t.requestChunkList(0, 0);
        assertThatThrownBy(() -> t.takeChunkList(chunk)).isInstanceOf(XetWireException.class)
                .hasMessageContaining("asked for a chunk, the response is for a chunk list");
        assertThatThrownBy(() -> t.takeChunk(list)).isInstanceOf(XetWireException.class)
                .hasMessageContaining("asked for a chunk list, the response is for a chunk");
        assertThat(t.outstanding()).isEqualTo(2);
    }

    @Test
    void requestsTimeOutAtTheirDeadline() {
        final XetRequestTracker t = new XetRequestTracker(4, 10 * SECOND);
        final int early = t.requestChunk(h(1), 0);
        final int late = t.requestChunkList(2, 5 * SECOND);
        final List<String> timedOut = new ArrayList<>();
        final XetRequestTracker.TimeoutSink sink = (id, kind, hash, file) -> timedOut.add(id + ":" + kind + ":" + hash + ":" + file);
        assertThat(t.expire(10 * SECOND - 1, sink)).isZero();
        assertThat(t.expire(10 * SECOND, sink)).isEqualTo(1);
        assertThat(timedOut).containsExactly(early + ":1:" + h(1) + ":-1");
        assertThatThrownBy(() -> t.takeChunk(early)).isInstanceOf(XetWireException.class);
        assertThat(t.expire(15 * SECOND, sink)).isEqualTo(1);
        assertThat(timedOut).last().isEqualTo(late + ":2:null:2");
        assertThat(t.outstanding()).isZero();
    }

    @Test
    void timeoutsWorkAcrossNanoTimeWraparound() {
        final XetRequestTracker t = new XetRequestTracker(2, 10);
        t.requestChunk(h(1), Long.MAX_VALUE - 5);
        assertThat(t.expire(Long.MAX_VALUE, (id, k, hash, f) -> { })).isZero();
        assertThat(t.expire(Long.MIN_VALUE + 5, (id, k, hash, f) -> { })).isEqualTo(1);
    }

    @Test
    void slotsAreReusedAndIdsKeepIncreasing() {
        final XetRequestTracker t = new XetRequestTracker(3, SECOND); // 4 slots
        final int keep = t.requestChunk(h(0), 0);
        int last = keep;
        for (int i = 1; i < 1000; i++) {
            final int id = t.requestChunk(h(i), 0);
            assertThat(id).isGreaterThan(last).isNotEqualTo(keep);
            assertThat(t.takeChunk(id)).isEqualTo(h(i));
            last = id;
        }
        assertThat(t.takeChunk(keep)).isEqualTo(h(0));
    }

    @Test
    void clearRetiresEverything() {
        final XetRequestTracker t = new XetRequestTracker(5, SECOND);
        final int id = t.requestChunk(h(1), 0);
        t.requestChunkList(1, 0);
        assertThat(t.clear()).isEqualTo(2);
        assertThat(t.outstanding()).isZero();
        assertThatThrownBy(() -> t.takeChunk(id)).isInstanceOf(XetWireException.class);
    }

    @Test
    void refusesBadConfiguration() {
        assertThatThrownBy(() -> new XetRequestTracker(0, SECOND)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new XetRequestTracker(4, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new XetRequestTracker(1, 1).maxOutstanding()).isEqualTo(1);
    }
}
