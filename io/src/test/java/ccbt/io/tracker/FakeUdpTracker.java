package ccbt.io.tracker;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted BEP 15 tracker on a loopback datagram socket. For each request it receives, the script returns the
 * datagrams to send back (none to drop the request). Requests are recorded for assertions.
 */
final class FakeUdpTracker implements AutoCloseable {

    /** A received request. */
    record Request(int index, byte[] bytes, java.net.SocketAddress from) {
        ByteBuffer buf() {
            return ByteBuffer.wrap(bytes);
        }

        int action() {
            return bytes.length >= 12 ? buf().getInt(8) : -1;
        }

        int transactionId() {
            return bytes.length >= 16 ? buf().getInt(12) : -1;
        }

        long connectionId() {
            return buf().getLong(0);
        }
    }

    interface Script {
        List<byte[]> answer(Request request);
    }

    private final DatagramSocket socket;
    private final Script script;
    private final Thread thread;
    final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeUdpTracker(InetAddress bind, Script script) throws SocketException {
        this.socket = new DatagramSocket(new InetSocketAddress(bind, 0));
        this.script = script;
        this.thread = Thread.ofPlatform().daemon().name("fake-udp-tracker").start(this::run);
    }

    static FakeUdpTracker onLoopback(Script script) throws SocketException {
        return new FakeUdpTracker(InetAddress.getLoopbackAddress(), script);
    }

    URI uri() {
        InetAddress a = socket.getLocalAddress();
        String host = a.getAddress().length == 16 ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        return URI.create("udp://" + host + ":" + socket.getLocalPort() + "/announce");
    }

    long countAction(int action) {
        return requests.stream().filter(r -> r.action() == action).count();
    }

    private void run() {
        byte[] buf = new byte[2048];
        int index = 0;
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return;
            }
            Request r = new Request(index++, Arrays.copyOf(p.getData(), p.getLength()), p.getSocketAddress());
            requests.add(r);
            for (byte[] reply : script.answer(r)) {
                try {
                    socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // Reply builders, BEP 15 layouts.

    static byte[] connectReply(int transactionId, long connectionId) {
        return ByteBuffer.allocate(16).putInt(0).putInt(transactionId).putLong(connectionId).array();
    }

    static byte[] announceReply(int transactionId, int interval, int leechers, int seeders, byte[] peers) {
        return ByteBuffer.allocate(20 + peers.length).putInt(1).putInt(transactionId).putInt(interval)
                .putInt(leechers).putInt(seeders).put(peers).array();
    }

    static byte[] errorReply(int transactionId, String message) {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + m.length).putInt(3).putInt(transactionId).put(m).array();
    }

    static byte[] peer(String ip, int port) throws IOException {
        byte[] a = InetAddress.getByName(ip).getAddress();
        return ByteBuffer.allocate(a.length + 2).put(a).putShort((short) port).array();
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
