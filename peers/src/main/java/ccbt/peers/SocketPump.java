package ccbt.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** One direction of a spliced TCP connection: the copy loop the loopback relays (tests and bench) share. */
public final class SocketPump {
    private SocketPump() {
    }

    /**
     * Copies {@code from} to {@code to} until end of stream, adding what passes to {@code counter} (may be null), then
     * passes the half-close on; the last of the connection's directions to end ({@code open} counts them down from 2)
     * closes both sockets. A reset or a close from either side ends the whole connection.
     */
    public static void run(final Socket from, final Socket to, final int bufferBytes, final AtomicLong counter,
                           final AtomicInteger open) {
        final byte[] buffer = new byte[bufferBytes];
        try {
            final InputStream in = from.getInputStream();
            final OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                if (counter != null) {
                    counter.addAndGet(n);
                }
            }
            to.shutdownOutput();
            if (open.decrementAndGet() == 0) {
                closeQuietly(from);
                closeQuietly(to);
            }
        } catch (final IOException e) {
            open.set(0);
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    static void closeQuietly(final Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (final IOException ignored) {
                // closing a socket that is already gone
            }
        }
    }
}
