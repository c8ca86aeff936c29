package ccbt.io.tracker;

import static ccbt.io.tracker.UdpTrackerProtocol.*;

import ccbt.core.InfoHash;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * A BEP 15 UDP tracker client. One instance serves every torrent: it owns one datagram socket, one thread that
 * receives on it and one thread that runs all protocol state (transactions, retransmission timers, the connection
 * id cache), so no state is shared between threads. Calls never block; results arrive as futures that fail with
 * {@link TrackerException}.
 *
 * <p>Replies that cannot belong to a request in flight (too short, unknown transaction id, wrong sender) are ignored
 * and counted; a reply to a request in flight that is malformed fails that request with a message naming the fault.
 */
public final class UdpTrackerClient implements AutoCloseable {

    /**
     * Timing of the protocol.
     *
     * @param baseTimeout          the first wait for a reply; the n-th retransmission waits {@code baseTimeout·2^n}
     *                             (n capped at 8)
     * @param maxRetransmissions   how many times a request is re-sent before the exchange fails
     * @param connectionIdLifetime how long a connection id from a connect reply may be used
     */
    public record Config(Duration baseTimeout, int maxRetransmissions, Duration connectionIdLifetime) {
        public Config {
            if (baseTimeout.isNegative() || baseTimeout.isZero()) {
                throw new IllegalArgumentException("baseTimeout must be positive: " + baseTimeout);
            }
            if (maxRetransmissions < 0 || maxRetransmissions > 8) {
                throw new IllegalArgumentException("maxRetransmissions " + maxRetransmissions + " outside 0..8");
            }
            if (connectionIdLifetime.isNegative()) {
                throw new IllegalArgumentException("negative connectionIdLifetime " + connectionIdLifetime);
            }
        }

        /** BEP 15's values: 15 s doubling up to 8 times (3840 s), connection ids valid for one minute. */
        public static Config bep15() {
            return new Config(Duration.ofSeconds(15), 8, Duration.ofMinutes(1));
        }
    }

    /** BEP 15: "n starts at 0 and is increased up to 8". */
    private static final int MAX_BACKOFF_EXPONENT = 8;

    private final Config config;
    private final DatagramChannel channel;
    private final ScheduledThreadPoolExecutor loop;
    private final Thread receiver;
    private final RandomGenerator random = new SecureRandom();
    private final int defaultKey;
    private final AtomicLong ignoredReplies = new AtomicLong();
    // Confined to the loop thread.
    private final Map<Integer, Exchange<?>> inFlight = new HashMap<>();
    private final Map<InetSocketAddress, ConnectionId> connectionIds = new HashMap<>();
    // Fits the largest request: a full scrape, or an announce with its URL data in 255-byte options and an end byte.
    private final ByteBuffer sendBuffer = ByteBuffer.allocate(Math.max(
            SCRAPE_INFO_HASHES + SCRAPE_MAX_HASHES * InfoHash.LENGTH,
            ANNOUNCE_REQUEST_LENGTH + URL_DATA_MAX + 2 * (URL_DATA_MAX / OPTION_MAX_CHUNK) + 1));

    private record ConnectionId(long id, long expiresAtNanos) {}

    private UdpTrackerClient(Config config, DatagramChannel channel) {
        this.config = config;
        this.channel = channel;
        this.defaultKey = random.nextInt();
        this.loop = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "ccbt-udp-tracker");
            t.setDaemon(true);
            return t;
        });
        loop.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        loop.setRemoveOnCancelPolicy(true);
        this.receiver = new Thread(this::receiveLoop, "ccbt-udp-tracker-rx");
        receiver.setDaemon(true);
        receiver.start();
    }

    /**
     * Opens a client whose socket is bound to {@code bindAddress} (port 0 for any free port).
     * An IPv6 wildcard or loopback bind address gives a socket that reaches IPv6 trackers (and, dual-stack, IPv4).
     */
    public static UdpTrackerClient open(Config config, InetSocketAddress bindAddress) throws IOException {
        Objects.requireNonNull(config, "config");
        DatagramChannel ch = bindAddress.getAddress() instanceof Inet4Address
                ? DatagramChannel.open(StandardProtocolFamily.INET)
                : DatagramChannel.open();
        try {
            ch.bind(bindAddress);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new UdpTrackerClient(config, ch);
    }

    /** Opens a client with BEP 15 timing on an ephemeral port of every local address. */
    public static UdpTrackerClient open() throws IOException {
        return open(Config.bep15(), new InetSocketAddress(0));
    }

    /** The local address of the socket. */
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** Replies ignored so far because they could not belong to a request in flight. */
    public long ignoredReplies() {
        return ignoredReplies.get();
    }

    /** Announces to a {@code udp://host:port[/...]} tracker. */
    public CompletableFuture<AnnounceResponse> announce(URI tracker, AnnounceRequest request) {
        Objects.requireNonNull(request, "request");
        byte[] urlData = urlData(tracker);
        if (urlData.length > URL_DATA_MAX) {
            return CompletableFuture.failedFuture(TrackerException.failed(String.valueOf(tracker),
                    "path and query are " + urlData.length + " bytes, more than the " + URL_DATA_MAX
                            + " sent as BEP 41 URL data"));
        }
        return start(tracker, new AnnounceCodec(request, urlData));
    }

    /** Scrapes 1 to 74 torrents (BEP 15's limit per packet) from a {@code udp://} tracker. */
    public CompletableFuture<ScrapeResponse> scrape(URI tracker, List<InfoHash> infoHashes) {
        if (infoHashes.isEmpty() || infoHashes.size() > SCRAPE_MAX_HASHES) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "a UDP scrape carries 1.." + SCRAPE_MAX_HASHES + " info-hashes, got " + infoHashes.size()));
        }
        return start(tracker, new ScrapeCodec(List.copyOf(infoHashes)));
    }

    /**
     * BEP 41: the tracker URL's path and query (e.g. {@code /announce?passkey=x}) travel with the announce so that
     * a tracker can tell its users or torrents apart; none for an empty path or a bare "/".
     */
    private static byte[] urlData(URI tracker) {
        if (tracker == null) {
            return new byte[0];
        }
        String path = tracker.getRawPath() == null ? "" : tracker.getRawPath();
        String query = tracker.getRawQuery() == null ? "" : "?" + tracker.getRawQuery();
        String data = path + query;
        return data.isEmpty() || data.equals("/") ? new byte[0] : data.getBytes(StandardCharsets.UTF_8);
    }

    /** Fails every request in flight and releases the socket and threads. */
    @Override
    public void close() {
        try {
            loop.execute(() -> {
                for (Exchange<?> ex : new ArrayList<>(inFlight.values())) {
                    ex.fail(TrackerException.failed(ex.name, "UDP tracker client closed"));
                }
            });
        } catch (RejectedExecutionException alreadyClosed) {
            return;
        }
        loop.shutdown();
        try {
            channel.close();
            loop.awaitTermination(5, TimeUnit.SECONDS);
            receiver.join(5_000);
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private <T> CompletableFuture<T> start(URI tracker, Codec<T> codec) {
        String name = String.valueOf(tracker);
        if (tracker == null || !"udp".equalsIgnoreCase(tracker.getScheme()) || tracker.getHost() == null
                || tracker.getPort() < 1) {
            return CompletableFuture.failedFuture(
                    TrackerException.failed(name, "not a udp://host:port tracker URL"));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        String host = tracker.getHost();
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        // Name resolution may block: it runs on a virtual thread, never on the protocol loop.
        Thread.ofVirtual().name("ccbt-udp-tracker-resolve").start(() -> {
            InetSocketAddress target;
            try {
                target = new InetSocketAddress(InetAddress.getByName(literal), tracker.getPort());
            } catch (IOException | RuntimeException e) { // RuntimeException: e.g. a port beyond 65535
                result.completeExceptionally(TrackerException.failed(name, "cannot resolve " + host + ":"
                        + tracker.getPort() + ": " + e.getMessage(), e));
                return;
            }
            try {
                loop.execute(() -> new Exchange<>(name, target, codec, result).begin());
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(TrackerException.failed(name, "UDP tracker client closed"));
            }
        });
        return result;
    }

    private void receiveLoop() {
        ByteBuffer buf = ByteBuffer.allocate(MAX_REPLY_LENGTH);
        while (channel.isOpen()) {
            buf.clear();
            SocketAddress from;
            try {
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // A transient receive error (e.g. a queued ICMP error) says nothing about one request: keep going.
                continue;
            }
            buf.flip();
            byte[] packet = new byte[buf.remaining()];
            buf.get(packet);
            InetSocketAddress sender = (InetSocketAddress) from;
            try {
                loop.execute(() -> onPacket(sender, ByteBuffer.wrap(packet)));
            } catch (RejectedExecutionException closed) {
                return;
            }
        }
    }

    private void onPacket(InetSocketAddress from, ByteBuffer packet) {
        if (packet.remaining() < REPLY_HEADER) {
            ignoredReplies.incrementAndGet();
            return;
        }
        Exchange<?> ex = inFlight.get(packet.getInt(REPLY_TRANSACTION_ID));
        if (ex == null || !sameEndpoint(from, ex.target)) {
            ignoredReplies.incrementAndGet();
            return;
        }
        ex.onReply(packet);
    }

    private static boolean sameEndpoint(InetSocketAddress a, InetSocketAddress b) {
        return a.getPort() == b.getPort() && a.getAddress().equals(b.getAddress());
    }

    private int newTransactionId() {
        int id;
        do {
            id = random.nextInt();
        } while (inFlight.containsKey(id));
        return id;
    }

    /** One request to one tracker: an optional connect step, then the request itself, with retransmissions. */
    private final class Exchange<T> {
        final String name;
        final InetSocketAddress target;
        final Codec<T> codec;
        final CompletableFuture<T> result;
        boolean connecting;
        int timeouts;
        int transactionId;
        long connectionId;
        ScheduledFuture<?> timer;

        Exchange(String name, InetSocketAddress target, Codec<T> codec, CompletableFuture<T> result) {
            this.name = name;
            this.target = target;
            this.codec = codec;
            this.result = result;
        }

        void begin() {
            ConnectionId cached = connectionIds.get(target);
            if (cached != null && System.nanoTime() - cached.expiresAtNanos < 0) {
                connectionId = cached.id;
                step(false);
            } else {
                connectionIds.remove(target);
                step(true);
            }
        }

        void step(boolean connect) {
            inFlight.remove(transactionId, this);
            connecting = connect;
            transactionId = newTransactionId();
            inFlight.put(transactionId, this);
            transmit();
        }

        void transmit() {
            if (result.isDone()) { // cancelled by the caller
                finish();
                return;
            }
            ByteBuffer b = sendBuffer.clear();
            if (connecting) {
                b.putLong(PROTOCOL_ID).putInt(ACTION_CONNECT).putInt(transactionId);
            } else {
                b.putLong(connectionId).putInt(codec.action()).putInt(transactionId);
                codec.write(b, target);
            }
            b.flip();
            try {
                channel.send(b, target);
            } catch (IOException e) {
                fail(TrackerException.failed(name, "cannot send to " + target + ": " + e.getMessage(), e));
                return;
            }
            long wait = config.baseTimeout().toNanos() << Math.min(timeouts, MAX_BACKOFF_EXPONENT);
            int sentId = transactionId;
            timer = loop.schedule(() -> onTimeout(sentId), wait, TimeUnit.NANOSECONDS);
        }

        void onTimeout(int sentId) {
            if (sentId != transactionId) {
                return; // a timer of an earlier step; the current step has its own
            }
            if (result.isDone()) { // cancelled by the caller
                finish();
                return;
            }
            timeouts++;
            if (timeouts > config.maxRetransmissions()) {
                fail(TrackerException.failed(name, "no reply to " + stepName() + " after " + timeouts
                        + " attempts"));
                return;
            }
            if (!connecting) {
                ConnectionId cached = connectionIds.get(target);
                if (cached == null || cached.id != connectionId || System.nanoTime() - cached.expiresAtNanos >= 0) {
                    // BEP 15: a retransmission after the connection id expired needs a new connect first.
                    step(true);
                    return;
                }
            }
            transmit();
        }

        void onReply(ByteBuffer packet) {
            int action = packet.getInt(REPLY_ACTION);
            if (action == ACTION_ERROR) {
                byte[] msg = new byte[packet.remaining() - ERROR_REPLY_MESSAGE];
                packet.get(ERROR_REPLY_MESSAGE, msg);
                if (!connecting) {
                    connectionIds.remove(target); // the tracker may no longer accept this connection id
                }
                String text = new String(msg, StandardCharsets.UTF_8).strip();
                fail(TrackerException.refused(name, text.isEmpty() ? "error reply without a message" : text));
                return;
            }
            int expected = connecting ? ACTION_CONNECT : codec.action();
            if (action != expected) {
                fail(TrackerException.failed(name, "reply action " + action + " to " + stepName()
                        + ", expected " + expected));
                return;
            }
            if (connecting) {
                if (packet.remaining() < CONNECT_REPLY_LENGTH) {
                    fail(TrackerException.failed(name, "connect reply is " + packet.remaining()
                            + " bytes, expected " + CONNECT_REPLY_LENGTH));
                    return;
                }
                cancelTimer();
                connectionId = packet.getLong(CONNECT_REPLY_CONNECTION_ID);
                connectionIds.put(target, new ConnectionId(connectionId,
                        System.nanoTime() + config.connectionIdLifetime().toNanos()));
                step(false);
                return;
            }
            T value;
            try {
                value = codec.read(packet, target, name);
            } catch (TrackerException e) {
                fail(e);
                return;
            }
            finish();
            result.complete(value);
        }

        String stepName() {
            return connecting ? "connect" : codec.name();
        }

        void fail(TrackerException e) {
            finish();
            result.completeExceptionally(e);
        }

        void finish() {
            cancelTimer();
            inFlight.remove(transactionId, this);
        }

        void cancelTimer() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }

    /** The request-specific part of an exchange: the body after the 16-byte header, and the reply parser. */
    private interface Codec<T> {
        String name();

        int action();

        void write(ByteBuffer b, InetSocketAddress target);

        T read(ByteBuffer reply, InetSocketAddress target, String tracker) throws TrackerException;
    }

    private final class AnnounceCodec implements Codec<AnnounceResponse> {
        private final AnnounceRequest req;
        private final byte[] urlData;

        AnnounceCodec(AnnounceRequest req, byte[] urlData) {
            this.req = req;
            this.urlData = urlData;
        }

        @Override
        public String name() {
            return "announce";
        }

        @Override
        public int action() {
            return ACTION_ANNOUNCE;
        }

        @Override
        public void write(ByteBuffer b, InetSocketAddress target) {
            int ip = 0; // 0: the tracker uses the packet's source address
            if (req.ip().isPresent() && req.ip().get() instanceof Inet4Address v4
                    && target.getAddress() instanceof Inet4Address) {
                ip = ByteBuffer.wrap(v4.getAddress()).getInt();
            }
            b.put(req.infoHash().bytes())
                    .put(req.peerId().bytes())
                    .putLong(req.downloaded())
                    .putLong(req.left())
                    .putLong(req.uploaded())
                    .putInt(req.event().udpCode())
                    .putInt(ip)
                    .putInt(req.key().orElse(defaultKey))
                    .putInt(req.numWant())
                    .putShort((short) req.port());
            if (urlData.length > 0) {
                for (int at = 0; at < urlData.length; at += OPTION_MAX_CHUNK) {
                    int n = Math.min(OPTION_MAX_CHUNK, urlData.length - at);
                    b.put((byte) OPTION_URL_DATA).put((byte) n).put(urlData, at, n);
                }
                b.put((byte) OPTION_END);
            }
        }

        @Override
        public AnnounceResponse read(ByteBuffer reply, InetSocketAddress target, String tracker)
                throws TrackerException {
            int length = reply.remaining();
            if (length < ANNOUNCE_REPLY_PEERS) {
                throw TrackerException.failed(tracker, "announce reply is " + length + " bytes, shorter than "
                        + ANNOUNCE_REPLY_PEERS);
            }
            // The peer format follows the address family the announce travelled over (BEP 15).
            boolean v6 = target.getAddress() instanceof Inet6Address;
            int entry = v6 ? PEER_V6_LENGTH : PEER_V4_LENGTH;
            int peerBytes = length - ANNOUNCE_REPLY_PEERS;
            if (peerBytes % entry != 0) {
                throw TrackerException.failed(tracker, "announce reply carries " + peerBytes
                        + " peer bytes, not a multiple of " + entry);
            }
            int interval = reply.getInt(ANNOUNCE_REPLY_INTERVAL);
            int leechers = reply.getInt(ANNOUNCE_REPLY_LEECHERS);
            int seeders = reply.getInt(ANNOUNCE_REPLY_SEEDERS);
            if (interval < 0 || leechers < 0 || seeders < 0) {
                throw TrackerException.failed(tracker, "announce reply has out-of-range values: interval="
                        + Integer.toUnsignedString(interval) + " leechers=" + Integer.toUnsignedString(leechers)
                        + " seeders=" + Integer.toUnsignedString(seeders));
            }
            List<InetSocketAddress> peers = CompactPeers.decode(reply.array(), reply.arrayOffset()
                    + ANNOUNCE_REPLY_PEERS, peerBytes, entry);
            return new AnnounceResponse(Duration.ofSeconds(interval), Optional.empty(), Optional.empty(),
                    OptionalInt.of(seeders), OptionalInt.of(leechers), peers, Optional.empty());
        }
    }

    private static final class ScrapeCodec implements Codec<ScrapeResponse> {
        private final List<InfoHash> hashes;

        ScrapeCodec(List<InfoHash> hashes) {
            this.hashes = hashes;
        }

        @Override
        public String name() {
            return "scrape";
        }

        @Override
        public int action() {
            return ACTION_SCRAPE;
        }

        @Override
        public void write(ByteBuffer b, InetSocketAddress target) {
            for (InfoHash h : hashes) {
                b.put(h.bytes());
            }
        }

        @Override
        public ScrapeResponse read(ByteBuffer reply, InetSocketAddress target, String tracker)
                throws TrackerException {
            int expected = SCRAPE_REPLY_ENTRIES + hashes.size() * SCRAPE_REPLY_ENTRY_LENGTH;
            if (reply.remaining() != expected) {
                throw TrackerException.failed(tracker, "scrape reply is " + reply.remaining() + " bytes, expected "
                        + expected + " for " + hashes.size() + " torrents");
            }
            Map<InfoHash, ScrapeResponse.Stats> files = new LinkedHashMap<>();
            for (int i = 0; i < hashes.size(); i++) {
                int at = SCRAPE_REPLY_ENTRIES + i * SCRAPE_REPLY_ENTRY_LENGTH;
                // seeders, completed, leechers (BEP 15 order); counts are unsigned 32-bit.
                long seeders = Integer.toUnsignedLong(reply.getInt(at));
                long completed = Integer.toUnsignedLong(reply.getInt(at + 4));
                long leechers = Integer.toUnsignedLong(reply.getInt(at + 8));
                files.put(hashes.get(i), new ScrapeResponse.Stats(seeders, completed, leechers));
            }
            return new ScrapeResponse(files);
        }
    }
}
