package ccbt.io.tracker;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The compact peer format of BEP 23 (IPv4, 6 bytes) and BEP 7 / BEP 15 (IPv6, 18 bytes): address then port. */
final class CompactPeers {
    static final int V4 = 6;
    static final int V6 = 18;

    private CompactPeers() {}

    /**
     * Decodes {@code length} bytes of {@code entryLength}-byte entries. The caller has checked that the length is a
     * multiple of the entry length. Entries with port 0 cannot be dialled and are dropped.
     */
    static List<InetSocketAddress> decode(byte[] src, int offset, int length, int entryLength) {
        if (length % entryLength != 0) {
            throw new IllegalArgumentException("compact peers length " + length + " not a multiple of " + entryLength);
        }
        int addressLength = entryLength - 2;
        List<InetSocketAddress> peers = new ArrayList<>(length / entryLength);
        for (int at = offset; at < offset + length; at += entryLength) {
            int port = ((src[at + addressLength] & 0xff) << 8) | (src[at + addressLength + 1] & 0xff);
            if (port == 0) {
                continue;
            }
            try {
                InetAddress address = InetAddress.getByAddress(Arrays.copyOfRange(src, at, at + addressLength));
                peers.add(new InetSocketAddress(address, port));
            } catch (UnknownHostException impossible) {
                throw new AssertionError("address of " + addressLength + " bytes", impossible);
            }
        }
        return peers;
    }
}
