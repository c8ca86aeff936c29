package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A hand-driven peer connection for tests that need to send exactly the frames they choose. */
final class RawWire {
    private RawWire() {
    }

    /**
     * Dials {@code address}, sends a BEP 3 handshake for {@code meta} with the given reserved bytes and a 20-byte
     * peer id, and reads the engine's handshake back (10 s read time-out).
     */
    static Socket dial(final InetSocketAddress address, final Metainfo meta, final byte[] reserved,
                       final String peerId) throws IOException {
        final Socket s = new Socket();
        s.connect(address, 5000);
        s.setSoTimeout(10_000);
        final DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeByte(19);
        out.write("BitTorrent protocol".getBytes(StandardCharsets.US_ASCII));
        out.write(reserved);
        out.write(meta.infoHashV1().bytes());
        out.write(peerId.getBytes(StandardCharsets.US_ASCII), 0, 20);
        out.flush();
        final byte[] reply = new byte[68];
        new DataInputStream(s.getInputStream()).readFully(reply);
        assertThat(reply[0]).isEqualTo((byte) 19);
        return s;
    }

    /** Writes one message: length, id, payload. */
    static void send(final Socket s, final int id, final byte[] payload) throws IOException {
        final DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeInt(1 + payload.length);
        out.writeByte(id);
        out.write(payload);
        out.flush();
    }
}
