package ccbt.io.tracker;

import ccbt.core.InfoHash;
import ccbt.core.UrlBytes;
import ccbt.core.bencode.BDict;
import ccbt.core.bencode.BList;
import ccbt.core.bencode.BString;
import ccbt.core.bencode.BValue;
import ccbt.core.bencode.Bencode;
import ccbt.core.bencode.BencodeException;
import ccbt.core.bencode.BencodeLimits;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;

/**
 * The HTTP(S) tracker protocol: announce (BEP 3, compact peers of BEP 23, {@code peers6} of BEP 7) and scrape (by
 * the announce → scrape URL convention of BEP 48). Replies are read up to a size limit and decoded with the
 * tracker bencode limits; anything malformed fails the future with a {@link TrackerException} naming the fault.
 */
public final class HttpTrackerClient implements AutoCloseable {

    /**
     * @param connectTimeout TCP/TLS connect time-out
     * @param requestTimeout time-out for the whole response
     * @param maxBodyBytes   replies larger than this are refused
     * @param userAgent      the User-Agent header
     */
    public record Config(Duration connectTimeout, Duration requestTimeout, int maxBodyBytes, String userAgent) {
        public Config {
            if (maxBodyBytes < 1) {
                throw new IllegalArgumentException("maxBodyBytes must be positive: " + maxBodyBytes);
            }
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(userAgent, "userAgent");
        }

        /** 10 s to connect, 30 s per request, 2 MiB per reply. */
        public static Config defaults() {
            return new Config(Duration.ofSeconds(10), Duration.ofSeconds(30), 2 * 1024 * 1024, "ccbt/0.1");
        }
    }

    /** Host names a tracker may give in the dictionary peer model (RFC 1123 letters, digits, hyphens, dots). */
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9-]{1,63})*\\.?");

    private final Config config;
    private final HttpGet http;
    /**
     * Each request blocks a daemon thread of this pool until its reply or its deadline; a closed client takes no new
     * requests. Platform threads, not virtual ones: a virtual thread's blocking socket starts the JDK's I/O poller
     * threads, and with them in native code the JVM's exit waited 0.3 s longer.
     */
    private final ExecutorService requests = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ccbt-tracker-http");
        t.setDaemon(true);
        return t;
    });

    /**
     * Creates a client. Redirects are followed at most {@value HttpGet#MAX_REDIRECTS} times, never from https to http
     * ({@link HttpGet}).
     */
    public HttpTrackerClient(Config config) {
        this.config = Objects.requireNonNull(config, "config");
        this.http = new HttpGet(config.connectTimeout(), config.requestTimeout(), config.maxBodyBytes(),
                config.userAgent());
    }

    /** A client with {@link Config#defaults()}. */
    public HttpTrackerClient() {
        this(Config.defaults());
    }

    /** Announces to an {@code http://} or {@code https://} tracker. */
    public CompletableFuture<AnnounceResponse> announce(URI tracker, AnnounceRequest request) {
        String name = String.valueOf(tracker);
        if (!HttpGet.isHttp(tracker)) {
            return CompletableFuture.failedFuture(TrackerException.failed(name, "not an http(s) tracker URL"));
        }
        URI url;
        try {
            url = announceUrl(tracker, request);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(TrackerException.failed(name, "cannot build the announce URL: "
                    + e.getMessage(), e));
        }
        return Futures.unwrapped(get(name, url).thenApply(body -> {
            try {
                return parseAnnounce(name, body);
            } catch (TrackerException e) {
                throw new CompletionException(e);
            }
        }));
    }

    /**
     * Scrapes the given torrents. Fails with a {@link TrackerException} if the announce URL has no scrape
     * counterpart (its last path segment does not start with {@code announce}).
     */
    public CompletableFuture<ScrapeResponse> scrape(URI tracker, List<InfoHash> infoHashes) {
        String name = String.valueOf(tracker);
        if (!HttpGet.isHttp(tracker)) {
            return CompletableFuture.failedFuture(TrackerException.failed(name, "not an http(s) tracker URL"));
        }
        if (infoHashes.isEmpty()) {
            // Without info_hash a scrape asks for every torrent the tracker has: never what we want.
            return CompletableFuture.failedFuture(new IllegalArgumentException("scrape needs at least one info-hash"));
        }
        Optional<URI> scrape = scrapeUrl(tracker);
        if (scrape.isEmpty()) {
            return CompletableFuture.failedFuture(TrackerException.failed(name,
                    "no scrape URL: the last path segment does not start with 'announce'"));
        }
        StringBuilder url = new StringBuilder(scrape.get().toString());
        char sep = scrape.get().getRawQuery() == null ? '?' : '&';
        for (InfoHash h : infoHashes) {
            url.append(sep).append("info_hash=").append(UrlBytes.encode(h.bytes()));
            sep = '&';
        }
        return Futures.unwrapped(get(name, URI.create(url.toString())).thenApply(body -> {
            try {
                return parseScrape(name, body);
            } catch (TrackerException e) {
                throw new CompletionException(e);
            }
        }));
    }

    @Override
    public void close() {
        requests.shutdownNow();
    }

    /**
     * The announce URL with its query: {@code info_hash} and {@code peer_id} percent-encoded byte by byte, the
     * tracker's own query parameters (e.g. a passkey) kept in front.
     */
    static URI announceUrl(URI tracker, AnnounceRequest r) {
        StringBuilder url = new StringBuilder(withoutFragment(tracker));
        url.append(tracker.getRawQuery() == null ? '?' : '&')
                .append("info_hash=").append(UrlBytes.encode(r.infoHash().bytes()))
                .append("&peer_id=").append(UrlBytes.encode(r.peerId().bytes()))
                .append("&port=").append(r.port())
                .append("&uploaded=").append(r.uploaded())
                .append("&downloaded=").append(r.downloaded())
                .append("&left=").append(r.left())
                .append("&compact=").append(r.compact() ? 1 : 0);
        if (r.event() != AnnounceRequest.Event.NONE) {
            url.append("&event=").append(r.event().httpName());
        }
        if (r.numWant() >= 0) {
            url.append("&numwant=").append(r.numWant());
        }
        r.key().ifPresent(k -> url.append("&key=").append(HexFormat.of().toHexDigits(k)));
        r.ip().ifPresent(ip -> url.append("&ip=")
                .append(UrlBytes.encode(ip.getHostAddress().getBytes(StandardCharsets.US_ASCII))));
        // A tracker id is kept as ISO-8859-1 text, one char per byte, so that its bytes go back unchanged.
        r.trackerId().ifPresent(id -> url.append("&trackerid=")
                .append(UrlBytes.encode(id.getBytes(StandardCharsets.ISO_8859_1))));
        return URI.create(url.toString());
    }

    /** BEP 48: replace the {@code announce} that starts the last path segment with {@code scrape}. */
    static Optional<URI> scrapeUrl(URI announce) {
        String s = withoutFragment(announce);
        int queryAt = s.indexOf('?');
        String base = queryAt < 0 ? s : s.substring(0, queryAt);
        String query = queryAt < 0 ? "" : s.substring(queryAt);
        int slash = base.lastIndexOf('/');
        if (slash < 0 || slash < base.indexOf("//") + 2 || !base.startsWith("announce", slash + 1)) {
            return Optional.empty();
        }
        return Optional.of(URI.create(base.substring(0, slash + 1) + "scrape"
                + base.substring(slash + 1 + "announce".length()) + query));
    }

    private static String withoutFragment(URI u) {
        String s = u.toString();
        int hash = s.indexOf('#');
        return hash < 0 ? s : s.substring(0, hash);
    }

    private CompletableFuture<byte[]> get(String name, URI url) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                HttpGet.Response response;
                try {
                    response = http.get(url);
                } catch (IOException | RuntimeException e) {
                    throw new CompletionException(transportFailure(name, e));
                }
                byte[] body = response.body();
                if (response.status() != 200) {
                    // Some trackers send their bencoded failure reason with an error status: prefer it.
                    Optional<String> reason = failureReason(body);
                    throw new CompletionException(reason.isPresent()
                            ? TrackerException.refused(name, reason.get())
                            : TrackerException.failed(name, "HTTP status " + response.status()));
                }
                return body;
            }, requests);
        } catch (RejectedExecutionException closed) {
            return CompletableFuture.failedFuture(TrackerException.failed(name, "the tracker client is closed", closed));
        }
    }

    private static TrackerException transportFailure(String name, Throwable error) {
        if (error instanceof HttpGet.BodyTooLarge big) {
            return TrackerException.failed(name, big.getMessage(), big);
        }
        if (error instanceof SocketTimeoutException) {
            return TrackerException.failed(name, "timed out: " + error.getMessage(), error);
        }
        return TrackerException.failed(name, error.getClass().getSimpleName()
                + (error.getMessage() == null ? "" : ": " + error.getMessage()), error);
    }

    private static Optional<String> failureReason(byte[] body) {
        try {
            if (Bencode.decode(body, BencodeLimits.forTracker()) instanceof BDict d
                    && d.get("failure reason") instanceof BString s) {
                return Optional.of(text(s));
            }
        } catch (BencodeException notBencode) {
            // An error page in HTML or plain text: the status code is all we report.
        }
        return Optional.empty();
    }

    /** Parses an announce reply. */
    static AnnounceResponse parseAnnounce(String tracker, byte[] body) throws TrackerException {
        BDict d = decode(tracker, body);
        try {
            Long interval = d.optInteger("interval");
            if (interval == null) {
                throw fail(tracker, "reply has no interval");
            }
            Duration minInterval = null;
            Long min = d.optInteger("min interval");
            if (min != null) {
                minInterval = Duration.ofSeconds(seconds(tracker, "min interval", min));
            }
            BString trackerId = d.optBytes("tracker id");
            BString warning = d.optBytes("warning message");
            List<InetSocketAddress> peers = new ArrayList<>();
            BValue p = d.get("peers");
            switch (p) {
                case null -> { }
                case BString s -> peers.addAll(compact(tracker, "peers", s, CompactPeers.V4));
                case BList l -> peers.addAll(dictionaryPeers(tracker, l));
                default -> throw fail(tracker, "peers is neither a string nor a list");
            }
            BValue p6 = d.get("peers6");
            switch (p6) {
                case null -> { }
                case BString s -> peers.addAll(compact(tracker, "peers6", s, CompactPeers.V6));
                default -> throw fail(tracker, "peers6 is not a string");
            }
            return new AnnounceResponse(
                    Duration.ofSeconds(seconds(tracker, "interval", interval)),
                    Optional.ofNullable(minInterval),
                    Optional.ofNullable(trackerId).map(BString::latin1),
                    count(tracker, "complete", d.optInteger("complete")),
                    count(tracker, "incomplete", d.optInteger("incomplete")),
                    peers,
                    Optional.ofNullable(warning).map(HttpTrackerClient::text));
        } catch (BencodeException e) {
            throw fail(tracker, "malformed reply: " + e.getMessage());
        }
    }

    /** Parses a scrape reply. */
    static ScrapeResponse parseScrape(String tracker, byte[] body) throws TrackerException {
        BDict d = decode(tracker, body);
        try {
            BDict files = d.optDict("files");
            if (files == null) {
                throw fail(tracker, "scrape reply has no files dictionary");
            }
            Map<InfoHash, ScrapeResponse.Stats> out = new LinkedHashMap<>();
            for (Map.Entry<BString, BValue> e : files.entries().entrySet()) {
                BString key = e.getKey();
                if (key.length() != InfoHash.LENGTH) {
                    throw fail(tracker, "scrape entry key is " + key.length() + " bytes, not an info-hash");
                }
                if (!(e.getValue() instanceof BDict stats)) {
                    throw fail(tracker, "scrape entry " + HexFormat.of().formatHex(key.bytes())
                            + " is not a dictionary");
                }
                out.put(InfoHash.of(key.bytes()), new ScrapeResponse.Stats(
                        nonNegative(tracker, "complete", stats.optInteger("complete")),
                        nonNegative(tracker, "downloaded", stats.optInteger("downloaded")),
                        nonNegative(tracker, "incomplete", stats.optInteger("incomplete"))));
            }
            return new ScrapeResponse(out);
        } catch (BencodeException e) {
            throw fail(tracker, "malformed reply: " + e.getMessage());
        }
    }

    /** Decodes a reply dictionary; a {@code failure reason} in it fails as a refusal. */
    private static BDict decode(String tracker, byte[] body) throws TrackerException {
        BValue v;
        try {
            v = Bencode.decode(body, BencodeLimits.forTracker());
        } catch (BencodeException e) {
            throw fail(tracker, "reply is not valid bencode (" + body.length + " bytes): " + e.getMessage());
        }
        if (!(v instanceof BDict d)) {
            throw fail(tracker, "reply is not a bencoded dictionary");
        }
        if (d.get("failure reason") instanceof BString reason) {
            throw TrackerException.refused(tracker, text(reason));
        }
        if (d.containsKey("failure reason")) {
            throw fail(tracker, "failure reason is not a string");
        }
        return d;
    }

    private static List<InetSocketAddress> compact(String tracker, String key, BString s, int entry)
            throws TrackerException {
        if (s.length() % entry != 0) {
            throw fail(tracker, key + " is " + s.length() + " bytes, not a multiple of " + entry);
        }
        byte[] b = s.bytes();
        return CompactPeers.decode(b, 0, b.length, entry);
    }

    private static List<InetSocketAddress> dictionaryPeers(String tracker, BList list)
            throws TrackerException {
        List<InetSocketAddress> peers = new ArrayList<>(list.size());
        for (BValue item : list.items()) {
            if (!(item instanceof BDict peer)) {
                throw fail(tracker, "a peers list entry is not a dictionary");
            }
            String ip = peer.bytes("ip").latin1();
            long port = peer.integer("port");
            if (port < 0 || port > 65535) {
                throw fail(tracker, "peer " + ip + " has port " + port + " outside 0..65535");
            }
            if (port == 0) {
                continue; // cannot be dialled
            }
            peers.add(peerAddress(tracker, ip, (int) port));
        }
        return peers;
    }

    private static InetSocketAddress peerAddress(String tracker, String ip, int port)
            throws TrackerException {
        try {
            // ofLiteral never consults DNS.
            return new InetSocketAddress(InetAddress.ofLiteral(ip), port);
        } catch (IllegalArgumentException notLiteral) {
            if (ip.length() <= 253 && HOST_NAME.matcher(ip).matches()) {
                return InetSocketAddress.createUnresolved(ip, port); // BEP 3 allows a DNS name
            }
            throw fail(tracker, "peer ip '" + ip + "' is neither an IP address nor a host name");
        }
    }

    private static long seconds(String tracker, String key, long value) throws TrackerException {
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw fail(tracker, key + " " + value + " out of range");
        }
        return value;
    }

    private static OptionalInt count(String tracker, String key, Long value) throws TrackerException {
        if (value == null) {
            return OptionalInt.empty();
        }
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw fail(tracker, key + " " + value + " out of range");
        }
        return OptionalInt.of(value.intValue());
    }

    private static long nonNegative(String tracker, String key, Long value) throws TrackerException {
        if (value == null) {
            return 0;
        }
        if (value < 0) {
            throw fail(tracker, "scrape " + key + " " + value + " is negative");
        }
        return value;
    }

    /** Tracker text is meant to be UTF-8; bytes that are not are shown one char per byte rather than lost. */
    private static String text(BString s) {
        return s.isUtf8() ? s.utf8() : s.latin1();
    }

    private static TrackerException fail(String tracker, String reason) {
        return TrackerException.failed(tracker, reason);
    }
}
