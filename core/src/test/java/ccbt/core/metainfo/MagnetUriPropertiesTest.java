package ccbt.core.metainfo;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MagnetUriPropertiesTest {
    @Provide
    Arbitrary<String> magnetish() {
        Arbitrary<String> parts = Arbitraries.of("xt=urn:btih:", "xt=urn:btmh:1220", "c12fe1c06bba254a9dc9f519b335aa7c1367a88a",
                "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT", "&", "=", "dn=", "tr=", "x.pe=", "[", "]", ":", "%", "%2", "%C3%A9", "+",
                "::1", "127.0.0.1", "6881", "0", "99999", "é");
        return parts.list().ofMaxSize(12).map(l -> "magnet:?" + String.join("", l));
    }

    @Property(tries = 2000)
    void malformedMagnetsFailOnlyWithMetainfoException(@ForAll("magnetish") String uri) {
        try {
            MagnetUri m = MagnetUri.parse(uri);
            // anything accepted survives a round trip through its own rendering
            assertThat(MagnetUri.parse(m.toUri())).isEqualTo(m);
        } catch (MetainfoException e) {
            assertThat(e.getMessage()).startsWith("invalid magnet: ");
        }
    }

    @Property(tries = 500)
    void arbitraryTextFailsOnlyWithMetainfoException(@ForAll String uri) {
        try {
            MagnetUri.parse("magnet:?" + uri);
        } catch (MetainfoException e) {
            assertThat(e.getMessage()).startsWith("invalid magnet: ");
        }
    }
}
