/**
 * Drivers for real BitTorrent clients (Debian packages) over loopback, shared by the interop tests of io and
 * app and by the swarm benchmark ({@link ccbt.peers.PeerProcess} also runs the benchmark's ccbt processes).
 *
 * <p>Every class is {@link java.lang.AutoCloseable}: close kills the client's process tree (TERM, KILL after
 * 3 s) and deletes its private temp dir; the data directories belong to the caller. Every wait has a timeout
 * and fails with an {@link java.lang.AssertionError} naming the client and pid and quoting the tail of its
 * output. {@link ccbt.peers.RealPeers#require(String)} skips a test whose client is missing, except
 * with {@code CI=true}, where it fails it. Run only these tests with {@code -Dgroups=interop}.
 *
 * <h2>What each client needs on loopback (checked with the Debian bookworm packages)</h2>
 * <ul>
 * <li><b>libtorrent 2.0.8</b> ({@code /usr/bin/python3}, {@code peers/lt_peer.py}): settings only at session
 *   construction ({@code lt.session(settings, flags=0)}: flags 0 = no default plugins, so no ut_pex;
 *   ut_metadata is added back). {@code listen_interfaces=127.0.0.1:P}, DHT/LSD/UPnP/NAT-PMP off, uTP off,
 *   {@code allow_multiple_connections_per_ip} (every test peer is 127.0.0.1), {@code min_announce_interval=1}.
 *   It dials loopback peers fine; outgoing connections try MSE encryption first and fall back to plaintext
 *   on failure (out_enc_policy; pass {@code setting("out_enc_policy", "2")} for plaintext only). Seeds use
 *   {@code seed_mode} (pieces hashed lazily on first request). Non-power-of-two piece sizes (48, 80 KiB) are
 *   accepted by {@code create_torrent(fs, size, flags=v1_only)}.</li>
 * <li><b>aria2 1.36</b>: {@code --interface=127.0.0.1} binds its BitTorrent listen socket to loopback
 *   (checked with ss); {@code --enable-dht=false --enable-dht6=false --bt-enable-lpd=false
 *   --enable-peer-exchange=false --disable-ipv6=true --enable-rpc=false --no-conf=true}. It cannot be given a
 *   peer address: it learns peers only from a tracker, and with DHT off only from HTTP trackers (it sends UDP
 *   tracker traffic through the DHT socket); or it is dialled on its listen port. When it dials, its first
 *   connection is an MSE (obfuscated) handshake; if that fails it reconnects with the plain BitTorrent
 *   handshake (reserved bits: extension protocol and fast extension). Leechers run with
 *   {@code --seed-time=0} and exit 0 when done; seeders with {@code --check-integrity=true
 *   --bt-hash-check-seed=true --seed-ratio=0.0}. {@code --stop-with-process=<JVM pid>} ends it if the JVM
 *   dies.</li>
 * <li><b>transmission-daemon 3.00</b>: own config dir ({@code -g}), {@code settings.json} with
 *   {@code bind-address-ipv4=127.0.0.1}, {@code bind-address-ipv6=::1}, DHT/LPD/PEX/uTP/port forwarding/
 *   blocklist off, RPC on 127.0.0.1 (whitelist 127.0.0.1, no auth; the RPC needs the
 *   {@code X-Transmission-Session-Id} from a first 409 answer). It never dials 127.x peers, so the other side
 *   dials {@code peerPort()}. It closes connections that arrive while the torrent is being verified (the
 *   factories wait for the check), and never creates 0-byte files. It is slow to start moving data: as seeder
 *   and as leecher, the first payload byte came 5–8 s after the connection (3.00 updates interest and choking
 *   in a 10 s periodic pulse), then a few MiB/s; budget ~15 s for 8 MiB. libtorrent's first (MSE) dial to it
 *   was closed in our runs and its plaintext retry accepted (with out_enc_policy=2 the first dial works).</li>
 * <li><b>opentracker</b> (Debian build): whitelist-only. Unlisted info-hashes get "Requested download is not
 *   authorized" on announces that add a peer ("stopped" announces are not checked). The whitelist file lives
 *   in the chroot dir ({@code -d}), is re-read on SIGHUP, and must be readable by {@code nobody} (it drops
 *   root via {@code -u nobody}). {@code -i 127.0.0.1 -p P -P P} binds both TCP (HTTP) and UDP there.</li>
 * </ul>
 */
package ccbt.peers;
