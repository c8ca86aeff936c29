package ccbt.io.net;

/** The socket transport under the peer network. */
public enum Transport {
    /** The first available of {@link TransportFactory#AUTO_ORDER}: epoll, then io_uring, then NIO. */
    AUTO,
    /** Linux io_uring (netty-transport-native-io_uring). */
    IO_URING,
    /** Linux epoll (netty-transport-native-epoll). */
    EPOLL,
    /** Java NIO selectors: everywhere. */
    NIO
}
