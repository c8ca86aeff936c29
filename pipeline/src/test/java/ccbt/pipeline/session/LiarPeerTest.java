package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeder whose files were corrupted after it verified them serves wrong blocks. The leecher must
 * re-fetch those pieces from the honest seeder, ban the liar and end with correct data.
 */
class LiarPeerTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void corruptBlocksAreRefetchedAndTheLiarIsBanned() throws Exception {
        final Path honest = tmp.resolve("honest");
        final Path liar = tmp.resolve("liar");
        final Map<String, Long> files = new LinkedHashMap<>();
        files.put("data/x.bin", 6_000_000L);
        files.put("data/y.bin", 2_500_000L);
        SampleDataset.write(honest, files, 7);
        SampleDataset.write(liar, files, 7);
        final Metainfo meta = Swarm.torrentOf(honest.resolve("data"), 64 * 1024);

        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine honestEngine = swarm.engine("127.0.0.1");
            honestEngine.add(meta, honest, null);
            final Engine liarEngine = swarm.engine("127.0.0.2");
            liarEngine.add(meta, liar, null);
            // Corrupt every 64 KiB of the liar's files now that it trusts them: most pieces it serves are wrong.
            for (final String name : files.keySet()) {
                try (RandomAccessFile f = new RandomAccessFile(liar.resolve(name).toFile(), "rw")) {
                    for (long pos = 100; pos < f.length(); pos += 64 * 1024) {
                        f.seek(pos);
                        final int b = f.read();
                        f.seek(pos);
                        f.write(b ^ 0x5a);
                    }
                }
            }

            final Engine leecher = swarm.engine("127.0.0.1");
            final TorrentSession session = leecher.add(meta, tmp.resolve("out"), null);
            // The liar first, so that it gets to serve before the honest peer is dialled.
            session.addPeers(List.of(Swarm.addressOf(liarEngine)));
            Thread.sleep(300);
            session.addPeers(List.of(Swarm.addressOf(honestEngine)));
            session.completion().get(90, TimeUnit.SECONDS);

            assertThat(SampleDataset.sha256Tree(tmp.resolve("out"))).isEqualTo(SampleDataset.sha256Tree(honest));
            assertThat(session.bannedAddresses()).containsExactly(InetAddress.getByName("127.0.0.2"));
            assertThat(leecher.metrics().scrape()).contains("ccbt_hash_failures_total");
        }
    }
}
