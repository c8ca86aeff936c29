package ccbt.pipeline.session;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Engine-wide settings. The defaults are what a seedbox operator would expect; tests and the demo pass a
 * loopback bind address.
 *
 * @param bindAddress        listening and outgoing address; null = all interfaces
 * @param port               listening port; 0 = ephemeral
 * @param transport          "auto", "io_uring", "epoll" or "nio"
 * @param ioThreads          Netty event loops
 * @param hashThreads        hash-verify shards (defaults to the number of cores)
 * @param stagingBytes       off-heap staging budget per downloading torrent
 * @param maxPeersPerTorrent connections kept per torrent
 * @param uploadSlots        regular unchoke slots per torrent (one optimistic slot comes on top)
 * @param requestTimeout     a block request older than this is given up and re-requested elsewhere
 * @param stateDir           where resume data is kept
 * @param resumeSaveInterval how often changed resume data is written
 * @param hashFailuresToBan  a peer that contributed to this many failed pieces is banned
 * @param downloadRateLimit  engine-wide download limit in bytes per second; 0 = unlimited
 * @param xetChunking        run downloaded pieces through Xet content-defined chunking
 * @param sequential         pick pieces in order (for streaming) instead of rarest first
 * @param fullPreallocation  reserve every file's blocks on disk before downloading (else sparse files)
 * @param uploadRateLimit    engine-wide upload limit in bytes per second; 0 = unlimited
 * @param directWrites       write verified pieces with O_DIRECT, past the page cache (ccbt.store.PieceStore); off by
 *                           default (docs/decisions.md)
 * @param maxRequestsPerPeer the deepest request pipeline to one peer; the depth follows the peer's rate and never
 *                           exceeds its BEP 10 {@code reqq} ({@code ccbt.pipeline.picker.RequestPipeline})
 */
public record EngineConfig(
    InetAddress bindAddress,
    int port,
    String transport,
    int ioThreads,
    int hashThreads,
    long stagingBytes,
    int maxPeersPerTorrent,
    int uploadSlots,
    Duration requestTimeout,
    Path stateDir,
    Duration resumeSaveInterval,
    int hashFailuresToBan,
    long downloadRateLimit,
    boolean xetChunking,
    boolean sequential,
    boolean fullPreallocation,
    long uploadRateLimit,
    boolean directWrites,
    int maxRequestsPerPeer) {

    /**
     * Default {@link #maxRequestsPerPeer}: the request queue libtorrent allows itself by default
     * ({@code max_out_request_queue}) and about what transmission accepts ({@code reqq} 512). A peer that answers
     * requests in rounds (transmission every 500 ms) delivers at most one pipeline per round, so 64 requests held
     * such a peer to 2 MiB/s (docs/decisions.md).
     */
    public static final int DEFAULT_MAX_REQUESTS_PER_PEER = 500;

    public EngineConfig {
        if (maxRequestsPerPeer < 1) {
            throw new IllegalArgumentException("maxRequestsPerPeer=" + maxRequestsPerPeer + " must be at least 1");
        }
    }

    /** Defaults, with state kept under {@code stateDir}. */
    public static EngineConfig defaults(final Path stateDir) {
        return new EngineConfig(null, 6881, "auto", 1, Runtime.getRuntime().availableProcessors(),
            64L << 20, 80, 8, Duration.ofSeconds(30), stateDir, Duration.ofSeconds(2), 2, 0, false, false, false, 0,
            false, DEFAULT_MAX_REQUESTS_PER_PEER);
    }

    /** A builder starting from the {@link #defaults defaults}, with state kept under {@code stateDir}. */
    public static Builder builder(final Path stateDir) {
        return defaults(stateDir).toBuilder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The one way to change settings: start from {@link #builder} or {@link #toBuilder}, then {@link #build}. */
    public static final class Builder {
        private InetAddress bindAddress;
        private int port;
        private String transport;
        private int ioThreads;
        private int hashThreads;
        private long stagingBytes;
        private int maxPeersPerTorrent;
        private int uploadSlots;
        private Duration requestTimeout;
        private Path stateDir;
        private Duration resumeSaveInterval;
        private int hashFailuresToBan;
        private long downloadRateLimit;
        private boolean xetChunking;
        private boolean sequential;
        private boolean fullPreallocation;
        private long uploadRateLimit;
        private boolean directWrites;
        private int maxRequestsPerPeer;

        private Builder(final EngineConfig c) {
            bindAddress = c.bindAddress;
            port = c.port;
            transport = c.transport;
            ioThreads = c.ioThreads;
            hashThreads = c.hashThreads;
            stagingBytes = c.stagingBytes;
            maxPeersPerTorrent = c.maxPeersPerTorrent;
            uploadSlots = c.uploadSlots;
            requestTimeout = c.requestTimeout;
            stateDir = c.stateDir;
            resumeSaveInterval = c.resumeSaveInterval;
            hashFailuresToBan = c.hashFailuresToBan;
            downloadRateLimit = c.downloadRateLimit;
            xetChunking = c.xetChunking;
            sequential = c.sequential;
            fullPreallocation = c.fullPreallocation;
            uploadRateLimit = c.uploadRateLimit;
            directWrites = c.directWrites;
            maxRequestsPerPeer = c.maxRequestsPerPeer;
        }

        public Builder bind(final InetAddress address, final int listenPort) {
            this.bindAddress = address;
            this.port = listenPort;
            return this;
        }

        public Builder transport(final String value) {
            this.transport = value;
            return this;
        }

        public Builder ioThreads(final int value) {
            this.ioThreads = value;
            return this;
        }

        public Builder hashThreads(final int value) {
            this.hashThreads = value;
            return this;
        }

        public Builder stagingBytes(final long value) {
            this.stagingBytes = value;
            return this;
        }

        public Builder maxPeersPerTorrent(final int value) {
            this.maxPeersPerTorrent = value;
            return this;
        }

        public Builder uploadSlots(final int value) {
            this.uploadSlots = value;
            return this;
        }

        public Builder requestTimeout(final Duration value) {
            this.requestTimeout = value;
            return this;
        }

        public Builder stateDir(final Path value) {
            this.stateDir = value;
            return this;
        }

        public Builder resumeSaveInterval(final Duration value) {
            this.resumeSaveInterval = value;
            return this;
        }

        public Builder hashFailuresToBan(final int value) {
            this.hashFailuresToBan = value;
            return this;
        }

        public Builder downloadRateLimit(final long value) {
            this.downloadRateLimit = value;
            return this;
        }

        public Builder xetChunking(final boolean value) {
            this.xetChunking = value;
            return this;
        }

        public Builder sequential(final boolean value) {
            this.sequential = value;
            return this;
        }

        public Builder fullPreallocation(final boolean value) {
            this.fullPreallocation = value;
            return this;
        }

        public Builder directWrites(final boolean value) {
            this.directWrites = value;
            return this;
        }

        public Builder uploadRateLimit(final long value) {
            this.uploadRateLimit = value;
            return this;
        }

        public Builder maxRequestsPerPeer(final int value) {
            this.maxRequestsPerPeer = value;
            return this;
        }

        public EngineConfig build() {
            return new EngineConfig(bindAddress, port, transport, ioThreads, hashThreads, stagingBytes,
                maxPeersPerTorrent, uploadSlots, requestTimeout, stateDir, resumeSaveInterval, hashFailuresToBan,
                downloadRateLimit, xetChunking, sequential, fullPreallocation, uploadRateLimit,
                directWrites, maxRequestsPerPeer);
        }
    }
}
