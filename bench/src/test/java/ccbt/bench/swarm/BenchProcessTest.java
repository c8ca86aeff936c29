package ccbt.bench.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class BenchProcessTest {
    /**
     * The first progress report is timed as its line arrives: after a report of nothing done, before the next one,
     * and never moved by later reports.
     */
    @Test
    void theFirstProgressIsTimedWhenItsLineArrives(@TempDir final Path dir) throws Exception {
        final long[] seen = new long[3];
        final BenchProcess peer = BenchProcess.start("sh", "leecher",
            List.of("sh", "-c", "echo 0; sleep 0.3; echo 5; sleep 0.3; echo 9"), dir.resolve("sh.log"),
            new BenchProcess.Protocol() {
                private int lines;

                @Override
                public void onLine(final BenchProcess p, final String line) {
                    p.progress(Long.parseLong(line.strip()));
                    seen[lines++] = System.nanoTime();
                }

                @Override
                public boolean completesOnExit() {
                    return true;
                }
            });
        assertThat(peer.awaitComplete(java.time.Duration.ofSeconds(20))).isTrue();
        assertThat(peer.bytesDone()).isEqualTo(9);
        assertThat(peer.firstProgressAtNanos()).isGreaterThan(seen[0]).isLessThanOrEqualTo(seen[1])
            .isLessThan(seen[2]);
    }
}
