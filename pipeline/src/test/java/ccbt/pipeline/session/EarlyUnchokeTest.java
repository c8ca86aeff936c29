package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.Bitfield;
import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeder with a free upload slot unchokes a peer that lacks pieces as soon as it has said what it holds (or, with
 * no bitfield, sent its extension handshake), before INTERESTED; a peer that lacks nothing is unchoked only once it
 * asks, and one unchoked early that turns out to be a seed is choked again.
 */
class EarlyUnchokeTest {
    private static final int CHOKE = 0;
    private static final int UNCHOKE = 1;
    private static final int INTERESTED = 2;
    private static final int BITFIELD = 5;
    private static final int HAVE_NONE = 15;
    private static final int EXTENDED = 20;
    private static final byte[] PLAIN = new byte[8];
    private static final byte[] FAST = {0, 0, 0, 0, 0, 0, 0, 0x04};
    private static final byte[] EXTENSIONS = {0, 0, 0, 0, 0, 0x10, 0, 0};
    private static final String PEER_ID = "-XX0000-early-unchok";

    @TempDir
    Path tmp;

    private Metainfo meta;
    private Path content;

    @BeforeEach
    void data() throws Exception {
        content = tmp.resolve("seed");
        SampleDataset.write(content, Map.of("u/one.bin", 300_000L), 5);
        meta = Swarm.torrentOf(content.resolve("u"), 32 * 1024);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aPeerWithAnEmptyBitfieldIsUnchokedBeforeItAsks() throws Exception {
        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            final TorrentSession session = seeder.add(meta, content, null);
            try (Socket s = RawWire.dial(Swarm.addressOf(seeder), meta, PLAIN, PEER_ID)) {
                RawWire.send(s, BITFIELD, bitfield(false));
                assertThat(next(s, UNCHOKE, 10_000)).as("unchoked without INTERESTED").isTrue();
                // a choke round while it has not asked yet: nobody interested needs the slot, so it keeps it
                session.chokeRoundNow();
                assertThat(next(s, CHOKE, 1_000)).as("choked by the round").isFalse();
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFastPeerWithNothingIsUnchokedBeforeItAsks() throws Exception {
        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            seeder.add(meta, content, null);
            try (Socket s = RawWire.dial(Swarm.addressOf(seeder), meta, FAST, PEER_ID)) {
                RawWire.send(s, HAVE_NONE, new byte[0]);
                assertThat(next(s, UNCHOKE, 10_000)).as("unchoked without INTERESTED").isTrue();
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aPeerThatSkipsItsBitfieldIsUnchokedOnItsExtensionHandshakeAndChokedIfItTurnsOutASeed() throws Exception {
        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            seeder.add(meta, content, null);
            try (Socket s = RawWire.dial(Swarm.addressOf(seeder), meta, EXTENSIONS, PEER_ID)) {
                // extension message id 0 (the handshake) with an empty "m"
                RawWire.send(s, EXTENDED, "\0d1:mdee".getBytes(StandardCharsets.US_ASCII));
                assertThat(next(s, UNCHOKE, 10_000)).as("unchoked on the extension handshake").isTrue();
                // a bitfield after all, and a full one: the early slot goes back
                RawWire.send(s, BITFIELD, bitfield(true));
                assertThat(next(s, CHOKE, 10_000)).as("choked once it shows it is a seed").isTrue();
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aPeerThatLacksNothingIsUnchokedOnlyWhenInterested() throws Exception {
        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            seeder.add(meta, content, null);
            try (Socket s = RawWire.dial(Swarm.addressOf(seeder), meta, PLAIN, PEER_ID)) {
                RawWire.send(s, BITFIELD, bitfield(true));
                assertThat(next(s, UNCHOKE, 1_000)).as("no UNCHOKE for a peer that needs nothing").isFalse();
                RawWire.send(s, INTERESTED, new byte[0]);
                assertThat(next(s, UNCHOKE, 10_000)).as("unchoked once interested").isTrue();
            }
        }
    }

    private byte[] bitfield(final boolean complete) {
        final Bitfield b = new Bitfield(meta.pieceCount());
        if (complete) {
            b.setAll();
        }
        return b.toBytes();
    }

    /** Reads messages until one with id {@code wanted} (true) or until {@code millis} pass without one (false). */
    private static boolean next(final Socket s, final int wanted, final int millis) throws IOException {
        final DataInputStream in = new DataInputStream(s.getInputStream());
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (int messages = 0; messages < 1000; messages++) {
            final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            s.setSoTimeout((int) left);
            final int length;
            try {
                length = in.readInt();
            } catch (final SocketTimeoutException e) {
                return false;
            }
            if (length == 0) {
                continue; // keep-alive
            }
            assertThat(length).as("message length").isBetween(1, 1 << 20);
            s.setSoTimeout(10_000);
            final int id = in.readUnsignedByte();
            in.skipNBytes(length - 1);
            if (id == wanted) {
                return true;
            }
        }
        throw new AssertionError("1000 messages without message " + wanted);
    }
}
