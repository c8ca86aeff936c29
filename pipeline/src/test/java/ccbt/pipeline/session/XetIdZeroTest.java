package ccbt.pipeline.session;

import static org.assertj.core.api.Assertions.assertThat;

import ccbt.core.metainfo.Metainfo;
import ccbt.core.sample.SampleDataset;
import ccbt.io.wire.PeerConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * BEP 10: an extension listed with id 0 is one the peer does not support. A peer listing ut_xet with id 0 is
 * sent no ut_xet message, its pieces are downloaded the ordinary way, and a ut_xet message it sends anyway
 * closes the connection with a reason that says so.
 */
class XetIdZeroTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aPeerListingUtXetWithIdZeroGetsNoXetAndIsClosedIfItSpeaksXetAnyway() throws Exception {
        final Path file = tmp.resolve("seed/one.bin");
        Files.createDirectories(file.getParent());
        SampleDataset.writeFile(file, 500_000, 21);
        final Metainfo meta = XetExchangeTest.xetTorrent(file, 32 * 1024);

        try (Swarm swarm = new Swarm(tmp.resolve("state"));
             RawXetPeer peer = new RawXetPeer(meta, 0, List.of(XetExchangeTest.listOf(file)),
                 RawXetPeer.Chunks.NOT_FOUND, file)) {
            final Engine leecher = swarm.engine("127.0.0.1");
            final TorrentSession session = leecher.add(meta, tmp.resolve("out"), null);
            final long start = System.nanoTime();
            session.addPeers(List.of(peer.address()));
            session.completion().get(40, TimeUnit.SECONDS);

            assertThat(SampleDataset.sha256(tmp.resolve("out/one.bin"))).isEqualTo(SampleDataset.sha256(file));
            assertThat(System.nanoTime() - start).as("waited for a ut_xet peer: the id-0 peer is none")
                .isGreaterThanOrEqualTo(XetFetch.GRACE_NANOS / 2);
            assertThat(peer.extendedReceived.get()).as("ut_xet messages sent to the id-0 peer").isZero();
            assertThat(peer.chunkRequests.get()).isZero();
            assertThat(peer.pieceRequests.get()).isPositive();

            final List<PeerSession> peers = session.loop().submit(() -> List.copyOf(session.peers)).get();
            assertThat(peers).hasSize(1);
            assertThat(peers.getFirst().xet()).isNull();
            final PeerConnection connection = peers.getFirst().connection();
            assertThat(connection.isOpen()).isTrue();

            peer.sendXetAnyway();
            peer.awaitHangUp(20_000);
            XetExchangeTest.await(() -> connection.closeReason() != null, "the connection closed");
            assertThat(connection.closeReason())
                .isEqualTo("ut_xet message from a peer whose extension handshake did not list ut_xet with a nonzero id");
            assertThat(session.bannedAddresses()).isEmpty();
        }
    }
}
