package ccbt.bench.jmh;

import ccbt.core.metainfo.Metainfo;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * {@link Metainfo#parse} of the 1 000-file torrent of {@link BencodeBench}: bencode decoding plus the
 * metainfo checks (path sanitizing, duplicate paths, piece count) and the info-hash.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MetainfoBench {
    private byte[] torrent;

    @Setup
    public void setup() {
        torrent = BenchData.multiFileTorrent();
        final int files = Metainfo.parse(torrent).files().size();
        if (files != BenchData.TORRENT_FILES) {
            throw new IllegalStateException("benchmark torrent parsed to " + files + " files");
        }
    }

    @Benchmark
    public Metainfo parse(final ByteCounter counter) {
        counter.bytes += torrent.length;
        return Metainfo.parse(torrent);
    }
}
