package ccbt.io.tracker;

/**
 * The BEP 15 packet layouts, described once: offsets and sizes of every field the UDP tracker client writes or
 * reads. All integers are big-endian. Source of the constants: BEP 15, "UDP Tracker Protocol for BitTorrent".
 */
final class UdpTrackerProtocol {
    /** The magic constant that opens a connect request (BEP 15). */
    static final long PROTOCOL_ID = 0x41727101980L;

    static final int ACTION_CONNECT = 0;
    static final int ACTION_ANNOUNCE = 1;
    static final int ACTION_SCRAPE = 2;
    static final int ACTION_ERROR = 3;

    // Every request: connection_id (or the protocol id in a connect), action, transaction_id.
    static final int REQ_CONNECTION_ID = 0;
    static final int REQ_ACTION = 8;
    static final int REQ_TRANSACTION_ID = 12;
    static final int REQ_HEADER = 16;

    // Every reply: action, transaction_id.
    static final int REPLY_ACTION = 0;
    static final int REPLY_TRANSACTION_ID = 4;
    static final int REPLY_HEADER = 8;

    static final int CONNECT_REQUEST_LENGTH = REQ_HEADER;
    static final int CONNECT_REPLY_CONNECTION_ID = 8;
    static final int CONNECT_REPLY_LENGTH = 16;

    static final int ANNOUNCE_INFO_HASH = 16;
    static final int ANNOUNCE_PEER_ID = 36;
    static final int ANNOUNCE_DOWNLOADED = 56;
    static final int ANNOUNCE_LEFT = 64;
    static final int ANNOUNCE_UPLOADED = 72;
    static final int ANNOUNCE_EVENT = 80;
    static final int ANNOUNCE_IP = 84;
    static final int ANNOUNCE_KEY = 88;
    static final int ANNOUNCE_NUM_WANT = 92;
    static final int ANNOUNCE_PORT = 96;
    static final int ANNOUNCE_REQUEST_LENGTH = 98;

    // BEP 41 options after the announce body: type byte, then (for URL data) a length byte and the bytes.
    static final int OPTION_END = 0;
    static final int OPTION_URL_DATA = 2;
    static final int OPTION_MAX_CHUNK = 255;
    /** Our cap on the path and query sent as URL data; keeps the announce packet well under 1500 bytes. */
    static final int URL_DATA_MAX = 4 * OPTION_MAX_CHUNK;

    static final int ANNOUNCE_REPLY_INTERVAL = 8;
    static final int ANNOUNCE_REPLY_LEECHERS = 12;
    static final int ANNOUNCE_REPLY_SEEDERS = 16;
    static final int ANNOUNCE_REPLY_PEERS = 20;

    /** A peer in an announce reply over IPv4: 4-byte address, 2-byte port. */
    static final int PEER_V4_LENGTH = 6;
    /** A peer in an announce reply over IPv6: 16-byte address, 2-byte port. */
    static final int PEER_V6_LENGTH = 18;

    static final int SCRAPE_INFO_HASHES = 16;
    /** BEP 15: "Up to about 74 torrents can be scraped at once" (a full scrape packet then stays under 1500 bytes). */
    static final int SCRAPE_MAX_HASHES = 74;
    static final int SCRAPE_REPLY_ENTRIES = 8;
    /** seeders, completed, leechers: three 32-bit counts per torrent. */
    static final int SCRAPE_REPLY_ENTRY_LENGTH = 12;

    static final int ERROR_REPLY_MESSAGE = 8;

    /** Largest datagram we read; anything a UDP/IP packet can carry fits. */
    static final int MAX_REPLY_LENGTH = 65_536;

    private UdpTrackerProtocol() {}
}
