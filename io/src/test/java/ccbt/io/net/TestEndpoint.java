package ccbt.io.net;

import ccbt.core.InfoHash;
import ccbt.core.PeerId;
import ccbt.io.wire.PeerConnection;
import ccbt.io.wire.PeerHandler;
import ccbt.io.wire.RecordingHandler;
import io.netty.channel.EventLoop;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** Test support: a torrent that records its peers, handing each a {@link RecordingHandler}. */
final class TestEndpoint implements PeerEndpoint {
    final InfoHash infoHash;
    final PeerId peerId = PeerId.generate();
    volatile EventLoop loop;
    final int pieceCount;
    final List<PeerConnection> connections = new CopyOnWriteArrayList<>();
    final List<RecordingHandler> handlers = new CopyOnWriteArrayList<>();
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    volatile Function<PeerConnection, PeerHandler> factory;

    TestEndpoint(final InfoHash infoHash, final EventLoop loop, final int pieceCount) {
        this.infoHash = infoHash;
        this.loop = loop;
        this.pieceCount = pieceCount;
        this.factory = c -> new RecordingHandler();
    }

    @Override
    public InfoHash infoHash() {
        return infoHash;
    }

    @Override
    public PeerId ourPeerId() {
        return peerId;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public int pieceCount() {
        return pieceCount;
    }

    @Override
    public PeerHandler newPeer(final PeerConnection connection) {
        threads.add(Thread.currentThread());
        connections.add(connection);
        final PeerHandler h = factory.apply(connection);
        if (h instanceof RecordingHandler r) {
            handlers.add(r);
        }
        return h;
    }
}
