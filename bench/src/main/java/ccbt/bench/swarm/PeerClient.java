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

    /** A full hash check of the complete content under {@code saveDir}; completes when every piece is verified. */
    BenchPeer recheck(Payload payload, Path saveDir, Path logDir) throws IOException;
}
