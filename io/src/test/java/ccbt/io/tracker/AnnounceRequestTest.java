package ccbt.io.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccbt.core.InfoHash;
import ccbt.core.PeerId;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class AnnounceRequestTest {
    private static final InfoHash HASH = InfoHash.fromHex("0123456789abcdef0123456789abcdef01234567");
    private static final PeerId PEER = PeerId.generate();

    @Test
    void startedAnnounceHasTheUsualDefaults() {
        AnnounceRequest r = AnnounceRequest.started(HASH, PEER, 6881, 1234);
        assertThat(r.event()).isEqualTo(AnnounceRequest.Event.STARTED);
        assertThat(r.uploaded()).isZero();
        assertThat(r.downloaded()).isZero();
        assertThat(r.left()).isEqualTo(1234);
        assertThat(r.numWant()).isEqualTo(-1);
        assertThat(r.compact()).isTrue();
        assertThat(r.ip()).isEmpty();
        assertThat(r.key()).isEmpty();
        assertThat(r.trackerId()).isEmpty();
    }

    @Test
    void withersChangeOnlyTheirField() {
        AnnounceRequest r = AnnounceRequest.started(HASH, PEER, 6881, 1234)
                .withCounters(1, 2, 3).withEvent(AnnounceRequest.Event.COMPLETED).withNumWant(0).withKey(-7)
                .withTrackerId(Optional.of("t"));
        assertThat(r).isEqualTo(new AnnounceRequest(HASH, PEER, 6881, 1, 2, 3, AnnounceRequest.Event.COMPLETED, 0,
                true, Optional.empty(), OptionalInt.of(-7), Optional.of("t")));
    }

    @Test
    void eventsCarryTheirProtocolValues() {
        // BEP 15: 0 none, 1 completed, 2 started, 3 stopped; BEP 3 names, none for a regular announce.
        assertThat(AnnounceRequest.Event.NONE.udpCode()).isZero();
        assertThat(AnnounceRequest.Event.COMPLETED.udpCode()).isEqualTo(1);
        assertThat(AnnounceRequest.Event.STARTED.udpCode()).isEqualTo(2);
        assertThat(AnnounceRequest.Event.STOPPED.udpCode()).isEqualTo(3);
        assertThat(AnnounceRequest.Event.NONE.httpName()).isEmpty();
        assertThat(AnnounceRequest.Event.STOPPED.httpName()).isEqualTo("stopped");
    }

    @Test
    void rejectsValuesNoTrackerCouldUseNamingThem() {
        assertThatThrownBy(() -> AnnounceRequest.started(HASH, PEER, 0, 1))
                .hasMessage("announce port 0 outside 1..65535");
        assertThatThrownBy(() -> AnnounceRequest.started(HASH, PEER, 65536, 1))
                .hasMessage("announce port 65536 outside 1..65535");
        assertThatThrownBy(() -> AnnounceRequest.started(HASH, PEER, 1, -1))
                .hasMessage("negative announce counter: uploaded=0 downloaded=0 left=-1");
        assertThatThrownBy(() -> AnnounceRequest.started(HASH, PEER, 1, 1).withNumWant(-2))
                .hasMessage("numWant -2 must be -1 (tracker default) or more");
    }

    @Test
    void trackerExceptionNamesTheTrackerAndKeepsTheReason() {
        TrackerException e = TrackerException.refused("http://t/announce", "banned client");
        assertThat(e).hasMessage("tracker http://t/announce failed: banned client");
        assertThat(e.tracker()).isEqualTo("http://t/announce");
        assertThat(e.reason()).isEqualTo("banned client");
        assertThat(e.refused()).isTrue();
        assertThat(TrackerException.failed("udp://t:1", "timeout").refused()).isFalse();
    }
}
