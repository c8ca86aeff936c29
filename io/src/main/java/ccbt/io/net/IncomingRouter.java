package ccbt.io.net;

import ccbt.core.InfoHash;

/** Finds the torrent an incoming connection asks for. Called from any I/O thread: must be thread-safe. */
@FunctionalInterface
public interface IncomingRouter {
    /** The torrent with this info-hash, or null to close the connection. */
    PeerEndpoint route(InfoHash infoHash);
}
