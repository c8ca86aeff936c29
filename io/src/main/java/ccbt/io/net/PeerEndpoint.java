package ccbt.io.net;

import ccbt.core.InfoHash;
import ccbt.core.PeerId;
import ccbt.io.wire.PeerConnection;
import ccbt.io.wire.PeerHandler;
import io.netty.channel.EventLoop;

/**
 * A torrent as the peer network sees it. All of a torrent's connections run on its {@link #loop()}:
 * dialled ones are created there, accepted ones are moved there after the handshake, so every
 * {@link PeerHandler} callback and {@link #newPeer} call happens on that one thread.
 */
public interface PeerEndpoint {
    /** The torrent's info-hash, sent in and expected back in handshakes. */
    InfoHash infoHash();

    /** Our peer id for this torrent. */
    PeerId ourPeerId();

    /** The event loop the torrent is pinned to; must come from {@link PeerNetwork#nextLoop()}. */
    EventLoop loop();

    /**
     * A peer completed its handshake: return its handler, or null to refuse it (too many peers, banned
     * address, stopped torrent). Messages the handler sends from here follow our handshake.
     */
    PeerHandler newPeer(PeerConnection connection);

    /**
     * The torrent's piece count, or 0 while unknown: when known, bitfield lengths and piece indexes are
     * checked against it by the decoder.
     */
    default int pieceCount() {
        return 0;
    }
}
