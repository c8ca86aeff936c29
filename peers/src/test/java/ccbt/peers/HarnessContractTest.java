package ccbt.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/** What the harness promises its users: clear failures, skips only outside CI, nothing left behind. */
@Tag("interop")
class HarnessContractTest {
    @TempDir
    Path tmp;

    @Test
    void missingClientFailsInCiAndSkipsElsewhere() {
        assertThatThrownBy(() -> RealPeers.require("ccbt-no-such-client"))
            .isInstanceOf(RealPeers.inCi() ? AssertionError.class : TestAbortedException.class)
            .hasMessageContaining("ccbt-no-such-client");
    }

    @Test
    @Timeout(30)
    void timeoutNamesTheClientAndShowsItsOutputThenCloseLeavesNothingBehind() {
        final Path content = TestData.multiFile(tmp.resolve("data"), TestData.MIN_TOTAL, 1);
        final Path torrent = TestData.writeTorrent(content, 16 * 1024, List.of(), tmp.resolve("t.torrent"));
        final LibtorrentPeer lonely = LibtorrentPeer.leech(torrent, tmp.resolve("dl"));
        final long pid = lonely.process().pid();
        final Path work = lonely.process().workDir();
        try (lonely) {
            assertThat(Files.isDirectory(work)).isTrue();
            assertThatThrownBy(() -> lonely.awaitComplete(Duration.ofMillis(700)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("libtorrent-leech (pid " + pid + ")")
                .hasMessageContaining("not reached within PT0.7S")
                .hasMessageContaining("LISTEN " + lonely.port())
                .hasMessageContaining("(latest progress) PROGRESS 0 ");
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("client still alive").isFalse();
        assertThat(work).doesNotExist();
    }

    @Test
    @Timeout(30)
    void daemonsThatIgnoreStdinStillDieWhenTheJvmPipeCloses() throws InterruptedException {
        RealPeers.require("opentracker");
        try (OpenTracker tracker = OpenTracker.start()) {
            final List<ProcessHandle> tree = tracker.process().tree();
            assertThat(tree).as("guard shell + opentracker + stdin watcher").hasSizeGreaterThanOrEqualTo(3);
            tracker.process().closeStdin();
            final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (tree.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(tree.stream().filter(ProcessHandle::isAlive).map(h -> h.pid() + " " + h.info().command()))
                .as("processes alive 10 s after stdin closed").isEmpty();
        }
    }

    @Test
    @Timeout(30)
    void opentrackerRefusesUnlistedTorrentsUntilAllowed() {
        RealPeers.require("opentracker");
        final String listed = "00112233445566778899aabbccddeeff00112233";
        final String later = "ffeeddccbbaa99887766554433221100ffeeddcc";
        try (OpenTracker tracker = OpenTracker.start(listed)) {
            assertThat(tracker.httpAnnounceUrl()).isEqualTo("http://127.0.0.1:" + tracker.port() + "/announce");
            assertThat(tracker.udpAnnounceUrl()).isEqualTo("udp://127.0.0.1:" + tracker.port() + "/announce");
            assertThat(tracker.announceRefused(listed)).isFalse();
            assertThat(tracker.announceRefused(later)).isTrue();
            tracker.allow(later);
            assertThat(tracker.announceRefused(later)).isFalse();
        }
        assertThatThrownBy(() -> OpenTracker.start("not-a-hash"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'not-a-hash'");
    }
}
