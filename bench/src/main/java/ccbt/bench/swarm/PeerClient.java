package ccbt.bench.swarm;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/** Starts one kind of client (ccbt, libtorrent, ...) in the roles a scenario needs, loopback only. */
public interface PeerClient {
    /** The client's name as the report shows it. */
    String name();

    /** A seeder of the payload whose content is under {@code saveDir}, listening on 127.0.0.1. */
    BenchPeer seeder(Payload payload, Path saveDir, Path logDir) throws IOException;

    /** A leecher into the empty {@code saveDir} that connects to {@code peers}. */
    BenchPeer leecher(Payload payload, Path saveDir, List<InetSocketAddress> peers, Path logDir) throws IOException;

    /**
     * A full hash check of the complete content under {@code saveDir}; completes when every piece is verified. The
     * check runs from the process start, or, for a client whose check can be started on its own (transmission's
     * {@code torrent-verify}), from {@link BenchPeer#begin()}; the harness's clock starts just before begin().
     */
    BenchPeer recheck(Payload payload, Path saveDir, Path logDir) throws IOException;

    /** Whether {@link #recheck} returns a prepared check that starts on {@link BenchPeer#begin()} (else at launch). */
    default boolean recheckStartsOnBegin() {
        return false;
    }

    /**
     * Whether this client dials the addresses given to {@link #leecher}; false for one that only accepts connections
     * on loopback (transmission), which the harness then connects through its {@link Relay}.
     */
    default boolean dialsLoopback() {
        return true;
    }

    /** One line on how this client was driven, for the report (empty: nothing beyond the common set-up). */
    default String note() {
        return "";
    }
}
