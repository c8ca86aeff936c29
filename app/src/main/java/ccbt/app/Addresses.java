package ccbt.app;

import java.net.InetSocketAddress;

/** Parses the HOST:PORT arguments of the command line ({@code [::1]:6881} for IPv6). */
final class Addresses {
    private Addresses() {
    }

    /** HOST:PORT, with IPv6 hosts in brackets; throws IllegalArgumentException naming the bad text. */
    static InetSocketAddress parseHostPort(final String text) {
        final int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected HOST:PORT, got " + text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("bad port in " + text);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range in " + text);
        }
        return new InetSocketAddress(host, port);
    }

}
