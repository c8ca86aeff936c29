package ccbt.io.tracker;

import ccbt.core.InfoHash;
import ccbt.core.PeerId;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One announce, as both the HTTP (BEP 3, BEP 23) and the UDP (BEP 15) protocols carry it.
 *
 * @param infoHash   the torrent
 * @param peerId     our peer id
 * @param port       the port we accept peer connections on, 1..65535
 * @param uploaded   bytes uploaded since the {@link Event#STARTED} announce
 * @param downloaded bytes downloaded since the {@link Event#STARTED} announce
 * @param left       bytes we still need
 * @param event      what happened since the last announce
 * @param numWant    how many peers we want, or -1 for the tracker's default
 * @param compact    ask for compact peer lists (BEP 23); UDP is always compact
 * @param ip         our address if it is not the one the tracker sees (rarely honoured by trackers)
 * @param key        a per-session random number that lets the tracker recognise us across address changes
 * @param trackerId  the {@code tracker id} the same tracker returned earlier, to be sent back
 */
public record AnnounceRequest(
        InfoHash infoHash,
        PeerId peerId,
        int port,
        long uploaded,
        long downloaded,
        long left,
        Event event,
        int numWant,
        boolean compact,
        Optional<InetAddress> ip,
        OptionalInt key,
        Optional<String> trackerId) {

    /** The announce events; {@code udpCode} is the BEP 15 value. */
    public enum Event {
        NONE("", 0),
        COMPLETED("completed", 1),
        STARTED("started", 2),
        STOPPED("stopped", 3);

        private final String httpName;
        private final int udpCode;

        Event(String httpName, int udpCode) {
            this.httpName = httpName;
            this.udpCode = udpCode;
        }

        /** The value of the HTTP {@code event} parameter; empty for {@link #NONE}, which sends no parameter. */
        public String httpName() {
            return httpName;
        }

        /** The value of the BEP 15 {@code event} field. */
        public int udpCode() {
            return udpCode;
        }
    }

    public AnnounceRequest {
        Objects.requireNonNull(infoHash, "infoHash");
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(trackerId, "trackerId");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("announce port " + port + " outside 1..65535");
        }
        if (uploaded < 0 || downloaded < 0 || left < 0) {
            throw new IllegalArgumentException(
                    "negative announce counter: uploaded=" + uploaded + " downloaded=" + downloaded + " left=" + left);
        }
        if (numWant < -1) {
            throw new IllegalArgumentException("numWant " + numWant + " must be -1 (tracker default) or more");
        }
    }

    /** A first announce ({@link Event#STARTED}, nothing transferred, compact, default peer count). */
    public static AnnounceRequest started(InfoHash infoHash, PeerId peerId, int port, long left) {
        return new AnnounceRequest(infoHash, peerId, port, 0, 0, left, Event.STARTED, -1, true,
                Optional.empty(), OptionalInt.empty(), Optional.empty());
    }

    /** The same request with another event. */
    public AnnounceRequest withEvent(Event newEvent) {
        return new AnnounceRequest(infoHash, peerId, port, uploaded, downloaded, left, newEvent, numWant, compact,
                ip, key, trackerId);
    }

    /** The same request with new transfer counters. */
    public AnnounceRequest withCounters(long newUploaded, long newDownloaded, long newLeft) {
        return new AnnounceRequest(infoHash, peerId, port, newUploaded, newDownloaded, newLeft, event, numWant,
                compact, ip, key, trackerId);
    }

    /** The same request asking for {@code n} peers (-1: the tracker's default). */
    public AnnounceRequest withNumWant(int n) {
        return new AnnounceRequest(infoHash, peerId, port, uploaded, downloaded, left, event, n, compact,
                ip, key, trackerId);
    }

    /** The same request with a session key. */
    public AnnounceRequest withKey(int newKey) {
        return new AnnounceRequest(infoHash, peerId, port, uploaded, downloaded, left, event, numWant, compact,
                ip, OptionalInt.of(newKey), trackerId);
    }

    /** The same request carrying (or, with empty, not carrying) a tracker id. */
    public AnnounceRequest withTrackerId(Optional<String> id) {
        return new AnnounceRequest(infoHash, peerId, port, uploaded, downloaded, left, event, numWant, compact,
                ip, key, id);
    }
}
