package ccbt.core.metainfo;

import ccbt.core.InfoHash;
import ccbt.core.UrlBytes;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A BitTorrent magnet link (BEP 9): {@code magnet:?xt=urn:btih:<hash>&dn=<name>&tr=<tracker>&x.pe=<host:port>}.
 *
 * @param infoHash the v1 info-hash from {@code xt=urn:btih:} (40 hex or 32 base32 characters)
 * @param btmh the v2 multihash from {@code xt=urn:btmh:} as written (hex), or null
 * @param displayName {@code dn}, or null
 * @param trackers every {@code tr} (and {@code tr.N}) in order, duplicates removed
 * @param peers every {@code x.pe}, unresolved
 */
public record MagnetUri(InfoHash infoHash, String btmh, String displayName, List<String> trackers,
        List<InetSocketAddress> peers) {
    private static final String PREFIX = "magnet:?";
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public MagnetUri {
        if (infoHash == null) {
            throw new IllegalArgumentException("a magnet needs an info-hash");
        }
        trackers = List.copyOf(trackers);
        peers = List.copyOf(peers);
    }

    /** Parses a magnet link; throws {@link MetainfoException} naming the offending parameter. */
    public static MagnetUri parse(String uri) {
        String s = uri.strip();
        if (!s.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw new MetainfoException("invalid magnet: must start with 'magnet:?': " + abbreviate(s));
        }
        InfoHash hash = null;
        String btmh = null;
        String dn = null;
        List<String> trackers = new ArrayList<>();
        List<InetSocketAddress> peers = new ArrayList<>();
        for (String param : s.substring(PREFIX.length()).split("&")) {
            if (param.isEmpty()) {
                continue;
            }
            int eq = param.indexOf('=');
            if (eq <= 0) {
                throw new MetainfoException("invalid magnet: parameter without a value: '" + abbreviate(param) + "'");
            }
            String key = param.substring(0, eq).toLowerCase(Locale.ROOT);
            String raw = param.substring(eq + 1);
            if (key.equals("xt")) {
                String value = percentDecode(raw, key, false);
                String lower = value.toLowerCase(Locale.ROOT);
                if (lower.startsWith("urn:btih:")) {
                    InfoHash h = parseBtih(value.substring("urn:btih:".length()));
                    if (hash != null && !hash.equals(h)) {
                        throw new MetainfoException("invalid magnet: two different urn:btih hashes: " + hash.hex() + " and " + h.hex());
                    }
                    hash = h;
                } else if (lower.startsWith("urn:btmh:")) {
                    btmh = parseBtmh(value.substring("urn:btmh:".length()));
                } else {
                    throw new MetainfoException("invalid magnet: unsupported xt '" + abbreviate(value) + "'");
                }
            } else if (key.equals("dn")) {
                dn = percentDecode(raw, key, true);
            } else if (key.equals("tr") || key.matches("tr\\.\\d+")) {
                String tracker = percentDecode(raw, key, false).strip();
                if (!tracker.isEmpty() && !trackers.contains(tracker)) {
                    trackers.add(tracker);
                }
            } else if (key.equals("x.pe")) {
                peers.add(parsePeer(percentDecode(raw, key, false)));
            }
            // other parameters (xl, ws, so, kt, ...) are not needed to fetch the metadata
        }
        if (hash == null) {
            throw new MetainfoException("invalid magnet: no xt=urn:btih: info-hash"
                    + (btmh != null ? " (v2-only magnets are not supported)" : ""));
        }
        return new MagnetUri(hash, btmh, dn, trackers, peers);
    }

    /** The magnet link for these fields, with every value percent-encoded. */
    public String toUri() {
        StringBuilder sb = new StringBuilder(PREFIX).append("xt=urn:btih:").append(infoHash.hex());
        if (btmh != null) {
            sb.append("&xt=urn:btmh:").append(btmh);
        }
        if (displayName != null) {
            sb.append("&dn=").append(UrlBytes.encode(displayName.getBytes(StandardCharsets.UTF_8)));
        }
        for (String tr : trackers) {
            sb.append("&tr=").append(UrlBytes.encode(tr.getBytes(StandardCharsets.UTF_8)));
        }
        for (InetSocketAddress pe : peers) {
            String host = pe.getHostString();
            String hostPart = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
            sb.append("&x.pe=").append(UrlBytes.encode((hostPart + ":" + pe.getPort()).getBytes(StandardCharsets.UTF_8)));
        }
        return sb.toString();
    }

    private static InfoHash parseBtih(String v) {
        if (v.length() == 40) {
            try {
                return InfoHash.of(HexFormat.of().parseHex(v));
            } catch (IllegalArgumentException e) {
                throw new MetainfoException("invalid magnet: urn:btih '" + v + "' is not hex");
            }
        }
        if (v.length() == 32) {
            return InfoHash.of(base32(v));
        }
        throw new MetainfoException("invalid magnet: urn:btih '" + abbreviate(v) + "' must be 40 hex or 32 base32 characters, got "
                + v.length());
    }

    /** RFC 4648 base32 without padding; 32 characters carry exactly 160 bits. */
    private static byte[] base32(String v) {
        byte[] out = new byte[20];
        long buffer = 0;
        int bits = 0;
        int n = 0;
        for (int i = 0; i < v.length(); i++) {
            int d = BASE32.indexOf(Character.toUpperCase(v.charAt(i)));
            if (d < 0) {
                throw new MetainfoException("invalid magnet: urn:btih '" + v + "' has a non-base32 character '" + v.charAt(i) + "'");
            }
            buffer = (buffer << 5) | d;
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                out[n++] = (byte) (buffer >>> bits);
            }
        }
        return out;
    }

    private static String parseBtmh(String v) {
        // a multihash in hex: function code 0x12 (sha2-256), length 0x20, then 32 bytes (BEP 52)
        if (!v.matches("(?i)1220[0-9a-f]{64}")) {
            throw new MetainfoException("invalid magnet: urn:btmh '" + abbreviate(v) + "' is not a hex sha2-256 multihash (1220 + 64 hex)");
        }
        return v.toLowerCase(Locale.ROOT);
    }

    private static InetSocketAddress parsePeer(String v) {
        String host;
        String port;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0 || close + 1 >= v.length() || v.charAt(close + 1) != ':') {
                throw new MetainfoException("invalid magnet: x.pe '" + v + "' must be [ipv6]:port");
            }
            host = v.substring(1, close);
            port = v.substring(close + 2);
        } else {
            int colon = v.lastIndexOf(':');
            if (colon <= 0 || v.indexOf(':') != colon) {
                throw new MetainfoException("invalid magnet: x.pe '" + v + "' must be host:port (IPv6 in brackets)");
            }
            host = v.substring(0, colon);
            port = v.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new MetainfoException("invalid magnet: x.pe '" + v + "' has no host");
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65535 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MetainfoException("invalid magnet: x.pe '" + v + "' has an invalid port '" + port + "'");
        }
        return InetSocketAddress.createUnresolved(host, p);
    }

    /** Decodes %XX escapes as UTF-8; '+' means a space only in {@code dn}, where browsers put it. */
    private static String percentDecode(String s, String key, boolean plusIsSpace) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            int c = s.codePointAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new MetainfoException("invalid magnet: truncated %-escape in " + key + " '" + abbreviate(s) + "'");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new MetainfoException("invalid magnet: bad %-escape '" + s.substring(i, i + 3) + "' in " + key);
                }
                out.write(hi << 4 | lo);
                i += 3;
            } else {
                if (c == '+' && plusIsSpace) {
                    out.write(' ');
                } else {
                    out.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
                }
                i += Character.charCount(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MetainfoException("invalid magnet: " + key + " '" + abbreviate(s) + "' is not valid UTF-8 once decoded");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
