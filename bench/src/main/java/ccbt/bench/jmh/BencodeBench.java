package ccbt.bench.jmh;

import ccbt.core.bencode.BValue;
import ccbt.core.bencode.Bencode;
import ccbt.core.bencode.BencodeLimits;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The bencode codec on the two inputs that matter: a large .torrent (1 000 files, about 4 GiB in 4 MiB
 * pieces) decoded when a torrent is added, and an HTTP tracker reply (200 compact peers) decoded every
 * announce; and the encoder on the same torrent.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BencodeBench {
    private byte[] torrent;
    private BValue torrentValue;
    private byte[] trackerReply;

    @Setup
    public void setup() {
        torrent = BenchData.multiFileTorrent();
        torrentValue = Bencode.decode(torrent);
        trackerReply = BenchData.trackerReply();
        if (!torrentValue.equals(Bencode.decode(Bencode.encode(torrentValue)))) {
            throw new IllegalStateException("bencode round trip of the benchmark torrent changed it");
        }
    }

    /** Decodes the 1 000-file torrent. */
    @Benchmark
    public BValue decodeTorrent(final ByteCounter counter) {
        counter.bytes += torrent.length;
        return Bencode.decode(torrent);
    }

    /** Decodes a tracker reply with 200 compact peers, with the tracker limits the client uses. */
    @Benchmark
    public BValue decodeTrackerReply(final ByteCounter counter) {
        counter.bytes += trackerReply.length;
        return Bencode.decode(trackerReply, BencodeLimits.forTracker());
    }

    /** Encodes the 1 000-file torrent from its decoded tree. */
    @Benchmark
    public byte[] encodeTorrent(final ByteCounter counter) {
        final byte[] out = Bencode.encode(torrentValue);
        counter.bytes += out.length;
        return out;
    }
}
