package ccbt.peers;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The aria2 driver's own parsing of aria2c's console and its command lines (lines as aria2c 1.36 prints them). */
class Aria2PeerTest {
    @Test
    void parsesSummaryAndChecksumLines() {
        assertThat(Aria2Peer.summaryDoneBytes("[#724653 12MiB/1.0GiB(1%) CN:1 DL:40MiB ETA:25s]")).isEqualTo(12L << 20);
        assertThat(Aria2Peer.summaryDoneBytes("[#724653 0B/64MiB(0%) CN:0 SD:0 DL:0B]")).isZero();
        assertThat(Aria2Peer.summaryDoneBytes("[#724653 SEED(0.0) CN:0 SD:0]")).isEqualTo(-1);
        assertThat(Aria2Peer.isSeedingSummary("[#724653 SEED(0.0) CN:0 SD:0]")).isTrue();
        assertThat(Aria2Peer.isSeedingSummary("[#724653 0B/64MiB(0%) CN:0 SD:0 DL:0B]")).isFalse();
        assertThat(Aria2Peer.checkedBytes("[#724653 0B/64MiB(0%) CN:0 SD:0 DL:0B] [Checksum:#724653 50MiB/64MiB(78%)]"))
            .isEqualTo(50L << 20);
        assertThat(Aria2Peer.checkedBytes("[#724653 0B/64MiB(0%) CN:0 SD:0 DL:0B]")).isEqualTo(-1);
        assertThat(Aria2Peer.summaryDoneBytes("[#ab 1.5GiB/2.0GiB(75%) CN:1]")).isEqualTo(3L << 29);
        assertThat(Aria2Peer.isVerifiedLine("11/26 02:40:09 [NOTICE] Verification finished successfully. file=/x"))
            .isTrue();
        assertThat(Aria2Peer.isCompleteLine("11/26 02:40:10 [NOTICE] Download complete: /x")).isTrue();
    }

    @Test
    void rejectsUnknownUnitsByName() {
        assertThatThrownBy(() -> Aria2Peer.parseUnits("3PiB")).hasMessageContaining("3PiB");
    }

    @Test
    void everyModeStaysOnLoopbackWithDhtLpdAndPexOff() {
        assumeThat(RealPeers.executable("aria2c")).as("aria2c installed").isNotNull();
        for (final Aria2Peer.Mode mode : Aria2Peer.Mode.values()) {
            final List<String> cmd = Aria2Peer.command(Path.of("t.torrent"), Path.of("d"), 6881, null, mode, List.of());
            assertThat(cmd).contains("--interface=127.0.0.1", "--enable-dht=false", "--enable-dht6=false",
                "--bt-enable-lpd=false", "--enable-peer-exchange=false", "--listen-port=6881");
            assertThat(cmd.getLast()).endsWith("t.torrent");
        }
        assertThat(Aria2Peer.command(Path.of("t"), Path.of("d"), 1, null, Aria2Peer.Mode.RECHECK, List.of()))
            .contains("--check-integrity=true", "--seed-time=0", "--bt-exclude-tracker=*");
        assertThat(Aria2Peer.command(Path.of("t"), Path.of("d"), 1, "http://127.0.0.1:9/announce", Aria2Peer.Mode.LEECH,
            List.of())).contains("--bt-tracker=http://127.0.0.1:9/announce", "--seed-time=0");
    }
}
