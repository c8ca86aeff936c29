package ccbt.bench.swarm;

import ccbt.peers.SocketPump;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connects BitTorrent peers on loopback that will not dial each other: transmission never dials a 127.x address
 * (it only accepts connections), so two transmission daemons, or transmission and a seeder that only listens, never
 * meet on their own. The relay dials both and copies bytes between them; for the benchmark to stay fair, the other
 * client of the comparison goes through the same relay ({@link #forward}), so both sides pay for one hop.
 *
 * <p>{@link #introduce} plays the initiator towards both peers (BEP 3: the side that connects sends its handshake
 * first, and a listening peer answers only after it): it offers the first peer the extension protocol and the fast
 * extension, hands the first peer's answer verbatim to the second, checks that the second's own answer has those same
 * two bits (else the peers would disagree on what they negotiated, and the introduction fails), drops it, and from
 * then on copies bytes both ways. Plaintext handshakes only: both clients must accept them (transmission does unless
 * its encryption is "required").
 *
 * <p>Loopback only, blocking sockets on virtual threads; every handshake read has a time-out.
 */
final class Relay implements AutoCloseable {
    private static final int HANDSHAKE = 68;
    private static final byte[] PROTOCOL = "BitTorrent protocol".getBytes(StandardCharsets.US_ASCII);
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;
    private static final int BUFFER = 256 << 10;
    /** Reserved bits offered to the first peer of an introduction: BEP 10 extension protocol, BEP 6 fast extension. */
    private static final byte[] OFFERED = {0, 0, 0, 0, 0, 0x10, 0, 0x04};
    /** The bits whose meaning both peers must agree on (the same two). */
    private static final byte[] NEGOTIATED = OFFERED;
    /** Local source addresses 127.0.0.2 ... 127.0.0.254 in turn (see {@link #connect}). */
    private final java.util.concurrent.atomic.AtomicInteger nextSource = new java.util.concurrent.atomic.AtomicInteger();

    private final List<Closeable> open = new ArrayList<>();
    private volatile boolean closed;

    /**
     * A front port on 127.0.0.1 that forwards every connection made to it to {@code target}, unchanged (the dialling
     * client sends its handshake first, as it would to the target).
     */
    InetSocketAddress forward(final InetSocketAddress target) throws IOException {
        final ServerSocket front = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        track(front);
        Thread.ofVirtual().name("relay-front-" + front.getLocalPort()).start(() -> {
            while (!front.isClosed()) {
                try {
                    final Socket in = front.accept();
                    track(in);
                    in.setTcpNoDelay(true);
                    final Socket out = connect(target);
                    out.setSoTimeout(0);
                    splice(in, out, new byte[0]);
                } catch (final IOException e) {
                    if (front.isClosed()) {
                        return; // closed by reset()/close()
                    }
                }
            }
        });
        return new InetSocketAddress("127.0.0.1", front.getLocalPort());
    }

    /**
     * Connects {@code first} and {@code second}, both listening peers of the torrent {@code infoHash}, through this
     * relay; returns once both handshakes are done. Fails with the peer and the reason if either does not answer.
     */
    void introduce(final InetSocketAddress first, final InetSocketAddress second, final byte[] infoHash)
        throws IOException {
        final Socket a = connect(first);
        final byte[] fromFirst;
        try {
            a.getOutputStream().write(handshake(OFFERED, infoHash, randomPeerId()));
            fromFirst = readHandshake(a, first, infoHash);
        } catch (final IOException e) {
            a.close();
            throw e;
        }
        final Socket b = connect(second);
        try {
            b.getOutputStream().write(fromFirst);
            final byte[] fromSecond = readHandshake(b, second, infoHash);
            // the first peer was offered OFFERED's bits in the second's name: they must be the second's own
            for (int i = 0; i < 8; i++) {
                if (((fromSecond[20 + i] ^ OFFERED[i]) & NEGOTIATED[i]) != 0) {
                    throw new IOException("relay: " + second + " has reserved bits " + HexFormat.of().formatHex(
                        fromSecond, 20, 28) + ", not the " + HexFormat.of().formatHex(OFFERED) + " the relay offered "
                        + first + " in its name (extension protocol and fast extension must match)");
                }
            }
        } catch (final IOException e) {
            a.close();
            b.close();
            throw e;
        }
        a.setSoTimeout(0);
        b.setSoTimeout(0);
        splice(a, b, new byte[0]);
    }

    /**
     * A connection to {@code peer} from the next source address in 127.0.0.2–254: transmission keeps one connection
     * per remote address and torrent, so relayed connections to one daemon (or from several seeders to one leecher)
     * must come from distinct addresses; the whole of 127.0.0.0/8 is loopback.
     */
    private Socket connect(final InetSocketAddress peer) throws IOException {
        final Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
        try {
            final int n = 2 + Math.floorMod(nextSource.getAndIncrement(), 253);
            s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) n}), 0));
            s.connect(peer, HANDSHAKE_TIMEOUT_MS);
        } catch (final IOException e) {
            s.close();
            throw new IOException("relay: cannot connect to " + peer + ": " + e.getMessage(), e);
        }
        track(s);
        return s;
    }

    private static byte[] readHandshake(final Socket s, final InetSocketAddress peer, final byte[] infoHash)
        throws IOException {
        final byte[] h = new byte[HANDSHAKE];
        final InputStream in = s.getInputStream();
        int n = 0;
        try {
            while (n < HANDSHAKE) {
                final int r = in.read(h, n, HANDSHAKE - n);
                if (r < 0) {
                    throw new IOException("relay: " + peer + " closed the connection after " + n
                        + " handshake bytes (does it accept plaintext handshakes for this torrent?)");
                }
                n += r;
            }
        } catch (final java.net.SocketTimeoutException e) {
            throw new IOException("relay: " + peer + " sent no handshake within " + HANDSHAKE_TIMEOUT_MS + " ms", e);
        }
        if (h[0] != PROTOCOL.length || !Arrays.equals(h, 1, 20, PROTOCOL, 0, PROTOCOL.length)) {
            throw new IOException("relay: " + peer + " answered no BitTorrent handshake: "
                + HexFormat.of().formatHex(h, 0, 20));
        }
        if (!Arrays.equals(h, 28, 48, infoHash, 0, 20)) {
            throw new IOException("relay: " + peer + " answered for info-hash " + HexFormat.of().formatHex(h, 28, 48)
                + ", expected " + HexFormat.of().formatHex(infoHash));
        }
        return h;
    }

    /** A BEP 3 handshake: pstrlen, pstr, 8 reserved bytes, info-hash, peer id. */
    static byte[] handshake(final byte[] reserved, final byte[] infoHash, final byte[] peerId) {
        final byte[] h = new byte[HANDSHAKE];
        h[0] = (byte) PROTOCOL.length;
        System.arraycopy(PROTOCOL, 0, h, 1, PROTOCOL.length);
        System.arraycopy(reserved, 0, h, 20, 8);
        System.arraycopy(infoHash, 0, h, 28, 20);
        System.arraycopy(peerId, 0, h, 48, 20);
        return h;
    }

    private static byte[] randomPeerId() {
        final byte[] id = new byte[20];
        final byte[] prefix = "-RL0001-".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(prefix, 0, id, 0, prefix.length);
        for (int i = prefix.length; i < id.length; i++) {
            id[i] = (byte) ('0' + ThreadLocalRandom.current().nextInt(10));
        }
        return id;
    }

    /** Copies bytes both ways until either side closes; {@code pending} goes to {@code b} first. */
    private void splice(final Socket a, final Socket b, final byte[] pending) throws IOException {
        if (pending.length > 0) {
            b.getOutputStream().write(pending);
        }
        final AtomicInteger open = new AtomicInteger(2);
        Thread.ofVirtual().name("relay-pump").start(() -> SocketPump.run(a, b, BUFFER, null, open));
        Thread.ofVirtual().name("relay-pump").start(() -> SocketPump.run(b, a, BUFFER, null, open));
    }

    private void track(final Closeable c) throws IOException {
        synchronized (open) {
            if (closed) {
                c.close();
                throw new IOException("relay closed");
            }
            open.add(c);
        }
    }

    /** Closes every front port and relayed connection (between trials). */
    void reset() {
        final List<Closeable> all;
        synchronized (open) {
            all = new ArrayList<>(open);
            open.clear();
        }
        all.forEach(Relay::closeQuietly);
    }

    @Override
    public void close() {
        closed = true;
        reset();
    }

    private static void closeQuietly(final Closeable c) {
        try {
            c.close();
        } catch (final IOException ignored) {
            // closing anyway
        }
    }
}
