package ccbt.pipeline.session;

import ccbt.core.create.TorrentCreator;
import ccbt.core.metainfo.Metainfo;
import ccbt.telemetry.Metrics;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Test support: datasets, torrents and in-process engines on loopback. */
final class Swarm implements AutoCloseable {
    private final List<Engine> engines = new ArrayList<>();
    private final Path stateRoot;

    Swarm(final Path stateRoot) {
        this.stateRoot = stateRoot;
    }

    /** A fresh engine listening on {@code address} (port 0), with its own state directory. */
    Engine engine(final String address) throws IOException {
        return engine(address, settings -> settings);
    }

    /** As {@link #engine(String)}, with {@code settings} changed from the defaults. */
    Engine engine(final String address, final UnaryOperator<EngineConfig.Builder> settings) throws IOException {
        final EngineConfig config = settings.apply(EngineConfig.builder(stateRoot.resolve("engine-" + engines.size()))
            .bind(InetAddress.getByName(address), 0)).build();
        final Engine engine = new Engine(config, new Metrics());
        engines.add(engine);
        engine.listen();
        return engine;
    }

    static InetSocketAddress addressOf(final Engine engine) {
        return new InetSocketAddress(engine.config().bindAddress(), engine.listenPort());
    }

    @Override
    public void close() {
        for (final Engine e : engines) {
            e.close();
        }
    }

    static Metainfo torrentOf(final Path content, final int pieceSize) throws IOException {
        return new TorrentCreator(content).pieceSize(pieceSize).createMetainfo();
    }
}
