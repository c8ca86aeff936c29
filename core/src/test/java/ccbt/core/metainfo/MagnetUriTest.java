package ccbt.core.metainfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class MagnetUriTest {
    private static final String HEX = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a";

    @Test
    void parsesHexHashNameTrackersAndPeers() {
        MagnetUri m = MagnetUri.parse("magnet:?xt=urn:btih:" + HEX.toUpperCase()
                + "&dn=Caf%C3%A9+au+lait&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce&tr=udp://127.0.0.1:6969"
                + "&tr=udp://127.0.0.1:6969&x.pe=127.0.0.1:51413&x.pe=%5B::1%5D:6881&xl=123");
        assertThat(m.infoHash().hex()).isEqualTo(HEX);
        assertThat(m.displayName()).isEqualTo("Café au lait");
        assertThat(m.trackers()).containsExactly("http://127.0.0.1:6969/announce", "udp://127.0.0.1:6969");
        assertThat(m.peers()).containsExactly(InetSocketAddress.createUnresolved("127.0.0.1", 51413),
                InetSocketAddress.createUnresolved("::1", 6881));
        assertThat(m.btmh()).isNull();
    }

    @Test
    void parsesBase32Hash() {
        // RFC 4648 base32 of the bytes 0x00..0x13 (checked with Python base64.b32encode)
        byte[] bytes = new byte[20];
        for (int i = 0; i < 20; i++) {
            bytes[i] = (byte) i;
        }
        String base32 = "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT";
        MagnetUri m = MagnetUri.parse("magnet:?xt=urn:btih:" + base32.toLowerCase());
        assertThat(m.infoHash().bytes()).isEqualTo(bytes);
        assertThat(m.trackers()).isEmpty();
        assertThat(m.displayName()).isNull();
    }

    @Test
    void keepsV2MultihashAndAcceptsNumberedTrackers() {
        String btmh = "1220" + "ab".repeat(32);
        MagnetUri m = MagnetUri.parse("MAGNET:?xt=urn:btmh:" + btmh + "&xt=urn:btih:" + HEX + "&tr.1=http://127.0.0.1:1/a&tr.2=http://127.0.0.1:2/a");
        assertThat(m.btmh()).isEqualTo(btmh);
        assertThat(m.trackers()).containsExactly("http://127.0.0.1:1/a", "http://127.0.0.1:2/a");
    }

    @Test
    void roundTripsThroughToUri() {
        MagnetUri m = MagnetUri.parse("magnet:?xt=urn:btih:" + HEX + "&dn=a%26b%20c&tr=http://127.0.0.1:1/a?x=1%26y=2&x.pe=[::1]:7");
        assertThat(m.trackers()).containsExactly("http://127.0.0.1:1/a?x=1&y=2");
        assertThat(MagnetUri.parse(m.toUri())).isEqualTo(m);
    }

    @Test
    void rejectsBadLinksWithClearErrors() {
        assertError("http://example.invalid/", "must start with 'magnet:?'");
        assertError("magnet:?dn=x", "no xt=urn:btih: info-hash");
        assertError("magnet:?xt=urn:btmh:1220" + "00".repeat(32), "v2-only magnets are not supported");
        assertError("magnet:?xt=urn:btih:1234", "must be 40 hex or 32 base32 characters, got 4");
        assertError("magnet:?xt=urn:btih:" + "z".repeat(40), "is not hex");
        assertError("magnet:?xt=urn:btih:" + "1".repeat(32), "non-base32 character '1'");
        assertError("magnet:?xt=urn:sha1:abc", "unsupported xt 'urn:sha1:abc'");
        assertError("magnet:?xt=urn:btih:" + HEX + "&dn=%zz", "bad %-escape '%zz' in dn");
        assertError("magnet:?xt=urn:btih:" + HEX + "&dn=abc%4", "truncated %-escape in dn");
        assertError("magnet:?xt=urn:btih:" + HEX + "&dn=%ff", "dn '%ff' is not valid UTF-8");
        assertError("magnet:?xt=urn:btih:" + HEX + "&x.pe=::1:80", "must be host:port (IPv6 in brackets)");
        assertError("magnet:?xt=urn:btih:" + HEX + "&x.pe=host:0", "invalid port '0'");
        assertError("magnet:?xt=urn:btih:" + HEX + "&x.pe=host:+80", "invalid port '+80'");
        assertError("magnet:?xt=urn:btih:" + HEX + "&x.pe=[::1]", "must be [ipv6]:port");
        assertError("magnet:?xt=urn:btih:" + HEX + "&xt=urn:btih:" + "0".repeat(40), "two different urn:btih");
        assertError("magnet:?xt", "parameter without a value: 'xt'");
    }

    private static void assertError(String uri, String message) {
        assertThatThrownBy(() -> MagnetUri.parse(uri)).isInstanceOf(MetainfoException.class)
                .hasMessageStartingWith("invalid magnet: ").hasMessageContaining(message);
    }
}
