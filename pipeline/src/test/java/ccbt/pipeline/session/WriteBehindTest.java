package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With buffered writes, downloaded data is flushed to the device while the download runs, not only by the (here hourly) resume save, so
 * completion does not wait for the whole backlog; the resume data written at completion still covers every piece.
 */
class WriteBehindTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void dataIsFlushedAsItArrives() throws Exception {
        final Path content = tmp.resolve("seed");
        final long size = 3 * TorrentSession.WRITE_BEHIND_BYTES + 12_345;
        SampleDataset.write(content, Map.of("big.bin", size), 7);
        final Metainfo meta = Swarm.torrentOf(content.resolve("big.bin"), 256 * 1024);

        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            seeder.add(meta, content, null);

            final Engine leecher = swarm.engine("127.0.0.1",
                settings -> settings.resumeSaveInterval(Duration.ofHours(1)).directWrites(false));
            final TorrentSession session = leecher.add(meta, tmp.resolve("leech"), null);
            session.addPeers(List.of(Swarm.addressOf(seeder)));
            session.completion().get(90, TimeUnit.SECONDS);

            assertThat(leecher.metrics().counter("ccbt_write_behind_flushes_total", "").get())
                .as("flushes started by the written bytes alone").isGreaterThanOrEqualTo(2);
            assertThat(Files.mismatch(content.resolve("big.bin"), tmp.resolve("leech/big.bin"))).isEqualTo(-1);
            assertThat(Files.exists(leecher.resumeFile(meta.infoHashV1()))).isTrue();
        }
    }
}
