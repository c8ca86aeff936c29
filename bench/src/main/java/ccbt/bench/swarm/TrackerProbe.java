package ccbt.bench.swarm;

import ccbt.core.bencode.BDict;
import ccbt.core.bencode.BString;
import ccbt.core.bencode.Bencode;
import ccbt.core.bencode.BencodeException;
import ccbt.core.bencode.BencodeLimits;
import ccbt.peers.TestData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Asks the harness's HTTP tracker which peers it lists for the torrent, as a made-up peer on port 1 that announces
 * "started" with {@code left=1} (so that the tracker returns seeders) and withdraws at once with "stopped". Used to
 * start leechers that find their seeders only through the tracker (aria2) once every seeder is listed.
 */
final class TrackerProbe {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String PEER_ID = "-BENCHPROBE-00000000";

    private TrackerProbe() {
    }

    /** Waits until the tracker at {@code announceUrl} lists every one of {@code peers} for {@code torrent}. */
    static void awaitListed(final String announceUrl, final Path torrent, final List<InetSocketAddress> peers,
                            final Duration timeout) throws IOException, InterruptedException {
        final byte[] hash = HexFormat.of().parseHex(TestData.infoHashHex(Files.readAllBytes(torrent)));
        final long deadline = System.nanoTime() + timeout.toNanos();
        Set<InetSocketAddress> listed = Set.of();
        while (true) {
            listed = listedPeers(announceUrl, hash);
            if (listed.containsAll(peers)) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("the tracker " + announceUrl + " did not list " + peers + " within "
                    + timeout.toSeconds() + " s; it listed " + listed);
            }
            Thread.sleep(100);
        }
    }

    /** The peers the tracker lists for {@code infoHash} now (compact IPv4 answers, BEP 23). */
    static Set<InetSocketAddress> listedPeers(final String announceUrl, final byte[] infoHash)
        throws IOException, InterruptedException {
        final StringBuilder q = new StringBuilder();
        for (final byte b : infoHash) {
            q.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
        }
        final String base = announceUrl + "?info_hash=" + q + "&peer_id=" + PEER_ID
            + "&port=1&uploaded=0&downloaded=0&left=1&compact=1&numwant=200&event=";
        final byte[] body = get(base + "started");
        get(base + "stopped");
        final BDict reply;
        try {
            reply = Bencode.decodeDict(body, BencodeLimits.DEFAULT);
        } catch (final BencodeException e) {
            throw new IOException("the tracker's answer is not bencode: " + e.getMessage(), e);
        }
        if (reply.containsKey("failure reason")) {
            throw new IOException("the tracker refused the probe announce: " + reply.string("failure reason"));
        }
        final BString compact = reply.optBytes("peers");
        return compact == null ? Set.of() : parseCompact(compact.bytes());
    }

    /** Decodes BEP 23 compact peers: 4 address bytes and a big-endian port each. */
    static Set<InetSocketAddress> parseCompact(final byte[] peers) {
        if (peers.length % 6 != 0) {
            throw new IllegalArgumentException("compact peer list of " + peers.length + " bytes is not a multiple of 6");
        }
        final Set<InetSocketAddress> out = new HashSet<>();
        for (int i = 0; i < peers.length; i += 6) {
            final String ip = (peers[i] & 0xff) + "." + (peers[i + 1] & 0xff) + "." + (peers[i + 2] & 0xff) + "."
                + (peers[i + 3] & 0xff);
            out.add(new InetSocketAddress(ip, (peers[i + 4] & 0xff) << 8 | peers[i + 5] & 0xff));
        }
        return out;
    }

    private static byte[] get(final String url) throws IOException, InterruptedException {
        final HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
            .build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("tracker announce " + url + " answered HTTP " + r.statusCode());
        }
        return r.body();
    }
}
