package ccbt.io.net;

/** The socket transport under the peer network. */
public enum Transport {
    /** The best available: io_uring, then epoll, then NIO. */
    AUTO,
    /** Linux io_uring (netty-transport-native-io_uring). */
    IO_URING,
    /** Linux epoll (netty-transport-native-epoll). */
    EPOLL,
    /** Java NIO selectors: everywhere. */
    NIO
}
