package ccbt.app;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import ccbt.peers.ByteCountingRelay;
import ccbt.peers.TestData;
import ccbt.pipeline.session.Engine;
import ccbt.pipeline.session.EngineConfig;
import ccbt.pipeline.session.TorrentSession;
import ccbt.telemetry.Metrics;
import ccbt.xet.format.ChunkList;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The update proof: a peer that holds version 1 of a 256 MiB dataset downloads version 2, made by
 * {@code ccbt xet update}, and receives little more than what changed. Bytes are counted on the wire by a
 * TCP relay between the downloader and the seeder, not by ccbt.
 *
 * <p>v2 is v1 with 1 MiB overwritten in one file, 100 bytes inserted near the start of another and one new
 * 4 MiB file. Each in-place edit changes the chunks it touches plus at most one more on either side (a chunk
 * is at most 128 KiB), so the bound on what the downloader may receive is: the changed bytes, 2 × 128 KiB
 * per edit, v2's chunk lists (the downloader fetches every file's list), and 2 % for the protocol (message
 * headers, handshakes, bitfield) plus a few KiB of fixed handshake cost.
 */
class XetUpdateTest {
    private static final long TOTAL = 256L << 20;
    private static final int MAX_CHUNK = 128 * 1024;
    private static final int OVERWRITE = 1 << 20;
    private static final int INSERT = 100;
    private static final int NEW_FILE = 4 << 20;
    private static final int IN_PLACE_EDITS = 2;
    /** Handshakes, extension handshakes, bitfields, keep-alives: a fixed allowance on top of the 2 %. */
    private static final int FIXED_OVERHEAD = 16 * 1024;

    @TempDir
    Path tmp;

    private static Engine engine(final Path state) throws Exception {
        return new Engine(EngineConfig.builder(state).bind(InetAddress.getByName("127.0.0.1"), 0).build(),
            new Metrics());
    }

    /**
     * Adds a complete torrent to an engine with state {@code state} and closes it: the engine checks the data,
     * chunks it from disk, stores its chunk lists and indexes its chunks; closing waits for that. This is what
     * seeding it once with that state directory leaves behind.
     */
    private static void seedOnce(final Path state, final Metainfo meta, final Path dir) throws Exception {
        try (Engine e = engine(state)) {
            final TorrentSession s = e.add(meta, dir, null);
            assertThat(s.completion()).succeedsWithin(60, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aPeerHoldingV1DownloadsOnlyWhatChangedInV2() throws Exception {
        // v1: six files, 256 MiB; v2: three edits of it.
        final Path v1 = TestData.multiFile(tmp.resolve("v1/set"), TOTAL, 5);
        final Path v2 = tmp.resolve("v2/set");
        XetEdits.copyTree(v1, v2);
        XetEdits.overwrite(v2.resolve("big.bin"), 40_000_000, XetEdits.bytes(OVERWRITE, 1));
        XetEdits.insert(v2.resolve("a/nested-2.bin"), 1_000, XetEdits.bytes(INSERT, 2));
        TestData.writeRandom(v2.resolve("fresh.bin"), NEW_FILE, 3);

        final Path v1Torrent = tmp.resolve("set-v1.torrent");
        CliRun run = CliRun.of("create", v1.toString(), "--xet", "-o", v1Torrent.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        final Path v2Torrent = tmp.resolve("set-v2.torrent");
        run = CliRun.of("xet", "update", v1Torrent.toString(), v2.toString(), "-o", v2Torrent.toString(),
            "--old-data", v1.toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        final JsonNode changes = new ObjectMapper().readTree(run.out());
        final Metainfo meta1 = Metainfo.parse(Files.readAllBytes(v1Torrent));
        final Metainfo meta2 = Metainfo.parse(Files.readAllBytes(v2Torrent));
        assertThat(meta2.name()).isEqualTo("set");
        assertThat(meta2.hasXetHashes()).isTrue();

        // What `xet update` says changed: the edits, rounded out to chunks, and the new file.
        final long changed = OVERWRITE + INSERT + NEW_FILE;
        final long slack = IN_PLACE_EDITS * 2L * MAX_CHUNK;
        final long newBytes = changes.get("uniqueNewBytes").asLong();
        assertThat(newBytes).isBetween(changed, changed + slack);
        long lists = 0;
        for (final JsonNode f : changes.get("files")) {
            lists += f.get("chunks").asLong() == 0 ? 0 : ChunkList.serializedLength(f.get("chunks").asLong());
        }

        final Path holderState = tmp.resolve("holder-state");
        final Path seederState = tmp.resolve("seeder-state");
        seedOnce(holderState, meta1, tmp.resolve("v1"));  // the downloader's index now holds v1's chunks
        seedOnce(seederState, meta2, tmp.resolve("v2"));  // the seeder has v2's chunk lists ready to serve

        try (Engine seeder = engine(seederState)) {
            final int seederPort = seeder.listen();
            final TorrentSession seed = seeder.add(meta2, tmp.resolve("v2"), null);
            assertThat(seed.state()).isEqualTo(TorrentSession.State.SEEDING);
            try (ByteCountingRelay relay = ByteCountingRelay.start(
                     new InetSocketAddress(InetAddress.getByName("127.0.0.1"), seederPort))) {
                final Path out = tmp.resolve("out");
                run = CliRun.of("download", v2Torrent.toString(), "-o", out.toString(),
                    "--peer", "127.0.0.1:" + relay.address().getPort(), "--bind", "127.0.0.1", "--port", "0",
                    "--state-dir", holderState.toString(), "--timeout", "90");
                assertThat(run.exitCode()).as(run.err()).isZero();

                final long received = relay.bytesFromTarget();
                final long bound = (long) ((changed + slack + lists) * 1.02) + FIXED_OVERHEAD;
                System.out.printf("xet update proof: v2 %d bytes, changed %d, new chunks %d bytes, lists %d bytes; "
                        + "received %d bytes (bound %d), sent %d bytes%n", meta2.totalLength(), changed, newBytes,
                    lists, received, bound, relay.bytesToTarget());
                assertThat(received).as("bytes the v1 holder received for v2").isLessThanOrEqualTo(bound)
                    .as("the new chunks cannot come from v1").isGreaterThanOrEqualTo(newBytes);
                TestData.assertSameTree(v2, out.resolve("set"));
            }
        }

        // The holder's index now stands for v1 and v2: what they share is stored once and referenced twice.
        run = CliRun.of("xet", "stats", "--state-dir", holderState.toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        final JsonNode stats = new ObjectMapper().readTree(run.out());
        final long shared = changes.get("sharedBytes").asLong();
        assertThat(stats.get("savedBytes").asLong()).as("bytes saved by dedup")
            .isCloseTo(shared, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(stats.get("uniqueBytes").asLong()).as("v1 and v2's new chunks, once each")
            .isCloseTo(meta1.totalLength() + newBytes, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(stats.get("dedupRatio").asDouble()).isGreaterThan(1.9);
    }
}
