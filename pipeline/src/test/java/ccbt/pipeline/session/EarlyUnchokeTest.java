package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
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
    private static final byte FAST_BIT = 0x04;
    private static final byte EXTENSION_BIT = 0x10;

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
            try (Socket s = connect(Swarm.addressOf(seeder), (byte) 0)) {
                final DataOutputStream out = new DataOutputStream(s.getOutputStream());
                final byte[] none = new byte[(meta.pieceCount() + 7) / 8];
                out.writeInt(1 + none.length);
                out.writeByte(BITFIELD);
                out.write(none);
                out.flush();
                assertThat(nextUnchoke(s, 10_000)).as("unchoked without INTERESTED").isTrue();
                // a choke round while it has not asked yet: nobody interested needs the slot, so it keeps it
                session.chokeRoundNow();
                assertThat(nextMessage(s, CHOKE, 1_000)).as("choked by the round").isFalse();
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFastPeerWithNothingIsUnchokedBeforeItAsks() throws Exception {
        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            seeder.add(meta, content, null);
            try (Socket s = connect(Swarm.addressOf(seeder), FAST_BIT)) {
                final DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(1);
                out.writeByte(HAVE_NONE);
                out.flush();
                assertThat(nextUnchoke(s, 10_000)).as("unchoked without INTERESTED").isTrue();
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aPeerThatSkipsItsBitfieldIsUnchokedOnItsExtensionHandshakeAndChokedIfItTurnsOutASeed() throws Exception {
        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            seeder.add(meta, content, null);
            try (Socket s = connect(Swarm.addressOf(seeder), (byte) 0, EXTENSION_BIT)) {
                final DataOutputStream out = new DataOutputStream(s.getOutputStream());
                final byte[] hs = "d1:mdee".getBytes(StandardCharsets.US_ASCII);
                out.writeInt(2 + hs.length);
                out.writeByte(EXTENDED);
                out.writeByte(0);
                out.write(hs);
                out.flush();
                assertThat(nextMessage(s, UNCHOKE, 10_000)).as("unchoked on the extension handshake").isTrue();
                // a bitfield after all, and a full one: the early slot goes back
                out.writeInt(1 + full().length);
                out.writeByte(BITFIELD);
                out.write(full());
                out.flush();
                assertThat(nextMessage(s, CHOKE, 10_000)).as("choked once it shows it is a seed").isTrue();
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aPeerThatLacksNothingIsUnchokedOnlyWhenInterested() throws Exception {
        try (Swarm swarm = new Swarm(tmp.resolve("state"))) {
            final Engine seeder = swarm.engine("127.0.0.1");
            seeder.add(meta, content, null);
            try (Socket s = connect(Swarm.addressOf(seeder), (byte) 0)) {
                final DataOutputStream out = new DataOutputStream(s.getOutputStream());
                final byte[] all = full();
                out.writeInt(1 + all.length);
                out.writeByte(BITFIELD);
                out.write(all);
                out.flush();
                assertThat(nextUnchoke(s, 1_000)).as("no UNCHOKE for a peer that needs nothing").isFalse();
                out.writeInt(1);
                out.writeByte(INTERESTED);
                out.flush();
                assertThat(nextUnchoke(s, 10_000)).as("unchoked once interested").isTrue();
            }
        }
    }

    private byte[] full() {
        final int pieces = meta.pieceCount();
        final byte[] all = new byte[(pieces + 7) / 8];
        for (int i = 0; i < pieces; i++) {
            all[i / 8] |= (byte) (0x80 >>> (i % 8));
        }
        return all;
    }

    private Socket connect(final InetSocketAddress address, final byte reservedLast) throws IOException {
        return connect(address, reservedLast, (byte) 0);
    }

    private Socket connect(final InetSocketAddress address, final byte reservedLast, final byte reserved5)
        throws IOException {
        final Socket s = new Socket();
        s.connect(address, 5000);
        final DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeByte(19);
        out.write("BitTorrent protocol".getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[] {0, 0, 0, 0, 0, reserved5, 0, reservedLast});
        out.write(meta.infoHashV1().bytes());
        out.write("-XX0000-early-unchoke".substring(0, 20).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        s.setSoTimeout(10_000);
        final byte[] reply = new byte[68];
        new DataInputStream(s.getInputStream()).readFully(reply);
        assertThat(reply[0]).isEqualTo((byte) 19);
        return s;
    }

    private static boolean nextUnchoke(final Socket s, final int millis) throws IOException {
        return nextMessage(s, UNCHOKE, millis);
    }

    /** Reads messages until one with id {@code wanted} (true) or until {@code millis} pass without one (false). */
    private static boolean nextMessage(final Socket s, final int wanted, final int millis) throws IOException {
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
