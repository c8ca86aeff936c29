package ccbt.app;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.create.TorrentCreator;
import ccbt.core.sample.SampleDataset;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ccbt seed} serves until SIGTERM, then shuts down in order: resume data written, process gone. */
class SeedShutdownTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void sigtermShutsTheSeederDownCleanly() throws Exception {
        SampleDataset.write(tmp.resolve("c"), SampleDataset.standardLayout("s", 2_000_000, 2), 8);
        final Path torrent = tmp.resolve("s.torrent");
        Files.write(torrent, new TorrentCreator(tmp.resolve("c/s")).pieceSize(32 * 1024).create());
        final Path state = tmp.resolve("state");
        try (CcbtProcess seed = CcbtProcess.start(tmp.resolve("seed.log"), "seed", torrent.toString(),
            tmp.resolve("c").toString(), "--bind", "127.0.0.1", "--port", "0", "--state-dir", state.toString())) {
            final Pattern listening = Pattern.compile("(?m)^listening (\\d+)$");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Matcher m = listening.matcher(seed.output());
            while (!m.find() && System.nanoTime() - deadline < 0) {
                assertThat(seed.process.isAlive()).as(seed.tail()).isTrue();
                Thread.sleep(100);
                m = listening.matcher(seed.output());
            }
            final int port = Integer.parseInt(m.group(1));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            }
            seed.process.destroy(); // SIGTERM
            assertThat(seed.process.waitFor(20, TimeUnit.SECONDS)).as("exited after SIGTERM: " + seed.tail()).isTrue();
            assertThat(seed.output()).doesNotContain("Exception");
            try (Stream<Path> files = Files.walk(state)) {
                assertThat(files.filter(p -> p.toString().endsWith(".resume")).count()).isEqualTo(1);
            }
        }
    }
}
