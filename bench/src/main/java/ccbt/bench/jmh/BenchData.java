package ccbt.bench.jmh;

import ccbt.core.bencode.BDict;
import ccbt.core.bencode.BInt;
import ccbt.core.bencode.BList;
import ccbt.core.bencode.BString;
import ccbt.core.bencode.BValue;
import ccbt.core.bencode.Bencode;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic inputs shared by the benchmarks, built once per trial in their setups. */
final class BenchData {
    /** Files in the "realistic" multi-file torrent. */
    static final int TORRENT_FILES = 1000;
    /** Peers in the compact tracker reply. */
    static final int TRACKER_PEERS = 200;

    private BenchData() {
    }

    /** {@code length} pseudo-random bytes from {@code seed}: incompressible, reproducible. */
    static byte[] randomBytes(final int length, final long seed) {
        final byte[] out = new byte[length];
        final SplittableRandom random = new SplittableRandom(seed);
        int i = 0;
        while (i + 8 <= length) {
            long v = random.nextLong();
            for (int k = 0; k < 8; k++) {
                out[i++] = (byte) v;
                v >>>= 8;
            }
        }
        while (i < length) {
            out[i++] = (byte) random.nextInt();
        }
        return out;
    }

    /**
     * A .torrent like a dataset release: {@value #TORRENT_FILES} files two or three directories deep with
     * names of 20-40 characters and sizes from 1 KiB to 16 MiB (about 4 GiB in all), 4 MiB pieces, an
     * announce-list of three tiers, a comment and a creation date. Piece hashes are random bytes: parsing
     * does not look at them.
     */
    static byte[] multiFileTorrent() {
        final SplittableRandom random = new SplittableRandom(42);
        final List<BValue> files = new ArrayList<>(TORRENT_FILES);
        long total = 0;
        for (int i = 0; i < TORRENT_FILES; i++) {
            final long length = 1024 + random.nextLong(16L << 20);
            total += length;
            final List<BValue> path = new ArrayList<>();
            path.add(BString.of("split-" + (i % 7)));
            if (i % 3 == 0) {
                path.add(BString.of("shard-" + (i % 41)));
            }
            path.add(BString.of(String.format("part-%05d-of-%05d-%s.parquet", i, TORRENT_FILES,
                Long.toHexString(random.nextLong()).substring(0, 6))));
            files.add(BDict.builder()
                .put("length", length)
                .put("path", new BList(path))
                .build());
        }
        final int pieceLength = 4 << 20;
        final long pieces = (total + pieceLength - 1) / pieceLength;
        final BDict info = BDict.builder()
            .put("files", new BList(files))
            .put("name", "ccbt-bench-dataset-v1")
            .put("piece length", pieceLength)
            .put("pieces", randomBytes(Math.toIntExact(pieces * 20), 7))
            .build();
        final BDict torrent = BDict.builder()
            .put("announce", "http://127.0.0.1:6969/announce")
            .put("announce-list", new BList(List.of(
                BList.of(BString.of("http://127.0.0.1:6969/announce")),
                BList.of(BString.of("udp://127.0.0.1:6969/announce")),
                BList.of(BString.of("http://127.0.0.2:6969/announce"), BString.of("http://127.0.0.3:6969/announce")))))
            .put("comment", "benchmark dataset, 1000 files")
            .put("created by", "ccbt/0.1")
            .put("creation date", 1_780_000_000L)
            .put("info", info)
            .build();
        return Bencode.encode(torrent);
    }

    /** An HTTP tracker announce reply (BEP 23 compact) with {@value #TRACKER_PEERS} IPv4 peers. */
    static byte[] trackerReply() {
        final byte[] peers = randomBytes(TRACKER_PEERS * 6, 11);
        return Bencode.encode(BDict.builder()
            .put("complete", new BInt(130))
            .put("incomplete", new BInt(70))
            .put("interval", 1800)
            .put("min interval", 900)
            .put("peers", peers)
            .build());
    }
}
