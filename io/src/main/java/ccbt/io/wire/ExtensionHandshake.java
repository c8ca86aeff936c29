package ccbt.io.wire;

import ccbt.core.bencode.BDict;
import ccbt.core.bencode.BInt;
import ccbt.core.bencode.BString;
import ccbt.core.bencode.BValue;
import ccbt.core.bencode.Bencode;
import ccbt.core.bencode.BencodeException;
import io.netty.buffer.ByteBuf;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The BEP 10 extension handshake (extended message id 0): the extensions a peer supports and the ids
 * it wants them sent with ({@code m}), its listen port ({@code p}), client name ({@code v}) and request
 * queue depth ({@code reqq}). Immutable.
 */
public final class ExtensionHandshake {
    /** BEP 10: the request queue depth to assume when a peer does not say ("default in libtorrent is 250"). */
    public static final int DEFAULT_REQQ = 250;
    /** Our client name in {@code v}. */
    public static final String CLIENT = "ccbt 0.1";

    private final Map<String, Integer> extensions;
    private final int port;
    private final String client;
    private final int reqq;

    private ExtensionHandshake(final Map<String, Integer> extensions, final int port, final String client,
                               final int reqq) {
        this.extensions = Collections.unmodifiableMap(extensions);
        this.port = port;
        this.client = client;
        this.reqq = reqq;
    }

    /**
     * Our handshake: no extensions yet (add them with {@link #withExtension}), our listen port (0 to leave
     * it out) and how many requests we queue per peer.
     */
    public static ExtensionHandshake ours(final int listenPort, final int reqq) {
        if (listenPort < 0 || listenPort > 0xffff) {
            throw new IllegalArgumentException("listen port out of range: " + listenPort);
        }
        if (reqq < 1) {
            throw new IllegalArgumentException("reqq must be positive: " + reqq);
        }
        return new ExtensionHandshake(new TreeMap<>(), listenPort, CLIENT, reqq);
    }

    /** A copy that also announces extension {@code name} under message id {@code id} (1..255). */
    public ExtensionHandshake withExtension(final String name, final int id) {
        if (id < 1 || id > 0xff) {
            throw new IllegalArgumentException("extension id for " + name + " must be 1..255: " + id);
        }
        final Map<String, Integer> m = new TreeMap<>(extensions);
        m.put(name, id);
        return new ExtensionHandshake(m, port, client, reqq);
    }

    /** Decodes a handshake payload (the bytes after the extended id). */
    public static ExtensionHandshake decode(final ByteBuf payload) {
        final byte[] raw = new byte[payload.readableBytes()];
        payload.getBytes(payload.readerIndex(), raw);
        return decode(raw);
    }

    /**
     * Decodes a handshake payload. Entries of {@code m} whose id is 0 (BEP 10: extension disabled) or
     * out of range are left out; a missing or non-positive {@code reqq} means {@link #DEFAULT_REQQ}; a
     * missing or out-of-range {@code p} means 0.
     *
     * @throws PeerProtocolException if the payload is not a bencoded dictionary with the types BEP 10 names
     */
    public static ExtensionHandshake decode(final byte[] payload) {
        try {
            final BValue value = Bencode.decode(payload);
            if (!(value instanceof BDict dict)) {
                throw new PeerProtocolException("extension handshake is not a dictionary");
            }
            final Map<String, Integer> m = new TreeMap<>();
            final BDict mDict = dict.optDict("m");
            if (mDict != null) {
                for (final String name : mDict.keys()) {
                    if (mDict.get(name) instanceof BInt id && id.value() > 0 && id.value() <= 0xff) {
                        m.put(name, (int) id.value());
                    }
                }
            }
            final Long p = dict.optInteger("p");
            final int port = p != null && p > 0 && p <= 0xffff ? p.intValue() : 0;
            final Long q = dict.optInteger("reqq");
            final int reqq = q != null && q > 0 ? (int) Math.min(q, Integer.MAX_VALUE) : DEFAULT_REQQ;
            final BString v = dict.optBytes("v");
            final String client = v == null ? null : v.isUtf8() ? v.utf8() : v.latin1();
            return new ExtensionHandshake(m, port, client, reqq);
        } catch (final BencodeException e) {
            throw new PeerProtocolException("malformed extension handshake: " + e.getMessage());
        }
    }

    /** The bencoded payload (without the extended message id). */
    public byte[] encode() {
        final BDict.Builder m = BDict.builder();
        for (final Map.Entry<String, Integer> e : extensions.entrySet()) {
            m.put(e.getKey(), e.getValue());
        }
        final BDict.Builder d = BDict.builder().put("m", m.build()).put("reqq", reqq);
        if (port > 0) {
            d.put("p", port);
        }
        if (client != null) {
            d.put("v", client);
        }
        return Bencode.encode(d.build());
    }

    /** The peer's request queue depth ({@link #DEFAULT_REQQ} if it did not say). */
    public int reqq() {
        return reqq;
    }

    /** The listen port the peer announced, or 0. */
    public int port() {
        return port;
    }

    /** The client name ({@code v}), or null. */
    public String client() {
        return client;
    }

    /** Extension name to message id, as the peer wants to receive them. */
    public Map<String, Integer> extensions() {
        return extensions;
    }

    @Override
    public String toString() {
        return "ExtensionHandshake[m=" + extensions + ", p=" + port + ", v=" + client + ", reqq=" + reqq + "]";
    }
}
