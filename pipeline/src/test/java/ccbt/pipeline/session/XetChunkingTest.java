package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.telemetry.Metrics;
import ccbt.xet.XetChunkHasher;
import ccbt.xet.hash.XetHash;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A download with Xet chunking on: the ring's Xet stage gives each file the hash of chunking it whole. */
class XetChunkingTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void downloadedFilesGetTheirXetHashes() throws Exception {
        final Path content = tmp.resolve("seed");
        SampleDataset.write(content, SampleDataset.standardLayout("x", 6_000_000, 3), 31);
        final Metainfo meta = Swarm.torrentOf(content.resolve("x"), 64 * 1024);
        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            seeder.add(meta, content, null);
            final Metrics metrics = new Metrics();
            final EngineConfig config = EngineConfig.defaults(tmp.resolve("state/xet"))
                .withBind(InetAddress.getByName("127.0.0.1"), 0).withXetChunking(true);
            try (Engine leecher = new Engine(config, metrics)) {
                leecher.listen();
                final Path out = tmp.resolve("out");
                final TorrentSession session = leecher.add(meta, out, null);
                session.addPeers(List.of(Swarm.addressOf(seeder)));
                session.completion().get(60, TimeUnit.SECONDS);

                final XetHash[] hashes = session.xetFileHashes();
                for (int i = 0; i < meta.files().size(); i++) {
                    final Path file = out.resolve(meta.files().get(i).relativePath());
                    assertThat(hashes[i]).as(file.toString()).isEqualTo(wholeFileHash(file));
                }
                assertThat(metrics.scrape()).contains("ccbt_xet_chunked_bytes_total " + meta.totalLength());
            }
        }
    }

    private static XetHash wholeFileHash(final Path file) throws Exception {
        final XetChunkHasher hasher = new XetChunkHasher((o, l, h) -> { });
        final byte[] all = Files.readAllBytes(file);
        hasher.update(all, 0, all.length);
        hasher.finish();
        return hasher.fileHash();
    }
}
