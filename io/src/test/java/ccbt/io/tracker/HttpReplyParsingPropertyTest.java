package ccbt.io.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.bencode.BDict;
import ccbt.core.bencode.Bencode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Tracker replies are hostile input: whatever the bytes, parsing answers or fails with a TrackerException. */
class HttpReplyParsingPropertyTest {
    private static final String T = "http://t.example/announce";

    @Property(tries = 500)
    void arbitraryBytesNeverEscapeAsAnythingButTrackerException(@ForAll @Size(max = 300) byte[] body) {
        try {
            HttpTrackerClient.parseAnnounce(T, body);
        } catch (TrackerException expected) {
            assertThat(expected.getMessage()).startsWith("tracker " + T + " failed: ");
        }
        try {
            HttpTrackerClient.parseScrape(T, body);
        } catch (TrackerException expected) {
            assertThat(expected.getMessage()).startsWith("tracker " + T + " failed: ");
        }
    }

    @Property(tries = 500)
    void mutatedValidRepliesNeverEscapeAsAnythingButTrackerException(@ForAll("mutated") byte[] body) {
        try {
            HttpTrackerClient.parseAnnounce(T, body);
        } catch (TrackerException expected) {
            assertThat(expected.reason()).isNotBlank();
        }
    }

    @Property(tries = 200)
    void compactPeersOfAnyWholeLengthDecodeToAtMostOnePeerPerEntry(@ForAll @Size(max = 50) byte[] seed) {
        byte[] peers = new byte[seed.length / 6 * 6];
        System.arraycopy(seed, 0, peers, 0, peers.length);
        AnnounceResponse r;
        try {
            r = HttpTrackerClient.parseAnnounce(T,
                    Bencode.encode(BDict.builder().put("interval", 60).put("peers", peers).build()));
        } catch (TrackerException e) {
            throw new AssertionError(e);
        }
        assertThat(r.peers().size()).isLessThanOrEqualTo(peers.length / 6);
        assertThat(r.peers()).allSatisfy(p -> assertThat(p.getPort()).isBetween(1, 65535));
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        byte[] valid = Bencode.encode(BDict.builder().put("interval", 1800).put("min interval", 60)
                .put("complete", 3).put("incomplete", 4).put("tracker id", "abc")
                .put("peers", new byte[] {127, 0, 0, 1, 0x1a, (byte) 0xe1}).build());
        return Arbitraries.integers().between(0, valid.length - 1).list().ofMinSize(1).ofMaxSize(4)
                .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
                    byte[] copy = valid.clone();
                    for (int i = 0; i < positions.size(); i++) {
                        copy[positions.get(i)] = values.get(i);
                    }
                    return copy;
                }));
    }
}
