#!/usr/bin/python3
"""A libtorrent peer for ccbt's interop tests, loopback only.

Run with /usr/bin/python3 (the Debian python that has python3-libtorrent).

    lt_peer.py TORRENT|MAGNET SAVE_PATH seed|leech [--port N] [--peer HOST:PORT]... [--no-trackers]
               [--recheck] [--set NAME=VALUE]... [--make-torrent ...]

Protocol on stdout, one line each (the Java side parses these):
    LISTEN <port>                  once the listen socket is bound (port 0 = the kernel picks one)
    ADDED <info-hash hex>          once the torrent is in the session
    PROGRESS <done> <total> <down rate> <up rate> <peers>   every 200 ms
    UPLOADED <bytes>               every 200 ms (all-time payload upload)
    ANNOUNCED <url> <peers>        for every tracker reply
    DONE                           once, when every wanted piece is verified
    ERROR <text>                   torrent or listen errors (the peer keeps running)
Commands on stdin, one per line:
    CONNECT <host> <port>          connect_peer; retried every second until that peer is connected
    REANNOUNCE                     force_reannounce to every tracker
    QUIT                           exit (as does closing stdin, SIGTERM or SIGINT)

Torrent creation mode (no session):
    lt_peer.py --make-torrent CONTENT_ROOT PIECE_SIZE OUT_FILE [TRACKER_URL]...
creates a v1-only torrent of CONTENT_ROOT (a file or a directory) and prints its info-hash.
"""
import os
import signal
import sys
import threading
import time

import libtorrent as lt


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def make_torrent(argv):
    root, piece_size, target = argv[0], int(argv[1]), argv[2]
    trackers = argv[3:]
    fs = lt.file_storage()
    lt.add_files(fs, root)
    if fs.num_files() == 0:
        raise SystemExit("no files under " + root)
    ct = lt.create_torrent(fs, piece_size, flags=lt.create_torrent.v1_only)
    for tier, url in enumerate(trackers):
        ct.add_tracker(url, tier)
    ct.set_creator("ccbt interop harness")
    lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(root)))
    data = lt.bencode(ct.generate())
    with open(target, "wb") as f:
        f.write(data)
    info = lt.torrent_info(target)
    if info.piece_length() != piece_size:
        raise SystemExit("libtorrent changed the piece size %d to %d" % (piece_size, info.piece_length()))
    out("INFOHASH " + str(info.info_hash()))


def parse_value(text):
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        return text


def main(argv):
    if argv and argv[0] == "--make-torrent":
        make_torrent(argv[1:])
        return
    if len(argv) < 3 or argv[2] not in ("seed", "leech"):
        raise SystemExit(__doc__)
    torrent, save_path, mode = argv[0], argv[1], argv[2]
    port, peers, use_trackers, recheck, extra = 0, [], True, False, {}
    i = 3
    while i < len(argv):
        a = argv[i]
        if a == "--port":
            port = int(argv[i + 1]); i += 2
        elif a == "--peer":
            host, _, p = argv[i + 1].rpartition(":"); peers.append((host, int(p))); i += 2
        elif a == "--no-trackers":
            use_trackers = False; i += 1
        elif a == "--recheck":
            recheck = True; i += 1
        elif a == "--set":
            k, _, v = argv[i + 1].partition("="); extra[k] = parse_value(v); i += 2
        else:
            raise SystemExit("unknown argument " + a)

    # Everything at construction: a session built with defaults would already have started DHT, LSD,
    # UPnP and NAT-PMP (and reached the internet) before a later apply_settings could stop them.
    settings = {
        "listen_interfaces": "127.0.0.1:%d" % port,
        "outgoing_interfaces": "",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "dht_bootstrap_nodes": "",
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_tcp": True,
        "enable_incoming_tcp": True,
        # every test peer is 127.0.0.1: without this libtorrent keeps one connection per IP
        "allow_multiple_connections_per_ip": True,
        # connect in plaintext at once: ccbt has no BEP 8 (MSE/PE) encryption, and libtorrent's default first
        # tries an encrypted handshake, which ccbt closes, then retries in plaintext about a second later
        "out_enc_policy": int(lt.enc_policy.disabled),
        # trackers on loopback answer with intervals of minutes; the harness re-announces on demand
        "min_announce_interval": 1,
        "announce_to_all_trackers": True,
        "announce_to_all_tiers": True,
        "auto_manage_startup": 0,
        "peer_connect_timeout": 3,
        "user_agent": "ccbt-interop-libtorrent/" + lt.__version__,
        "alert_mask": lt.alert.category_t.error_notification
        | lt.alert.category_t.status_notification
        | lt.alert.category_t.tracker_notification
        | lt.alert.category_t.connect_notification
        | lt.alert.category_t.peer_notification,
    }
    settings.update(extra)
    # flags=0: no default plugins, so no ut_pex; ut_metadata is added back for magnet tests
    ses = lt.session(settings, flags=0)
    ses.add_extension("ut_metadata")

    bound = wait_listen(ses)
    out("LISTEN %d" % bound)

    if torrent.startswith("magnet:"):
        # metadata comes from peers (BEP 9, ut_metadata)
        atp = lt.parse_magnet_uri(torrent)
        if not use_trackers:
            atp.trackers = []
        info_hash = str(atp.info_hashes.v1) if hasattr(atp, "info_hashes") else str(atp.info_hash)
    else:
        with open(torrent, "rb") as f:
            meta = lt.bdecode(f.read())
        if meta is None:
            raise SystemExit("not a bencoded torrent: " + torrent)
        if not use_trackers:
            meta.pop(b"announce", None)
            meta.pop(b"announce-list", None)
        info = lt.torrent_info(meta)
        info_hash = str(info.info_hash())
        atp = lt.add_torrent_params()
        atp.ti = info
    atp.save_path = save_path
    flags = atp.flags & ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
    if mode == "seed" and not recheck:
        flags |= lt.torrent_flags.seed_mode  # trust the data; libtorrent still hashes each piece on first request
    atp.flags = flags
    h = ses.add_torrent(atp)
    out("ADDED " + info_hash)

    wanted = list(peers)
    lock = threading.Lock()
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def read_commands():
        for line in sys.stdin:
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "CONNECT" and len(parts) == 3:
                with lock:
                    wanted.append((parts[1], int(parts[2])))
            elif parts[0] == "REANNOUNCE":
                h.force_reannounce(0, -1)
            elif parts[0] == "QUIT":
                break
            else:
                out("ERROR unknown command " + line.strip())
        stop.set()
    threading.Thread(target=read_commands, daemon=True).start()

    done_reported = False
    last_error = ""
    last_connect = 0.0
    while not stop.is_set():
        for a in ses.pop_alerts():
            report_alert(a)
        st = h.status()
        now = time.monotonic()
        if now - last_connect >= 1.0 and not st.state in (lt.torrent_status.checking_files,
                                                            lt.torrent_status.checking_resume_data):
            last_connect = now
            connected = set((p.ip[0], p.ip[1]) for p in h.get_peer_info())
            with lock:
                targets = list(wanted)
            for ep in targets:
                if ep not in connected:
                    try:
                        h.connect_peer(ep)
                    except Exception as e:  # a bad endpoint is reported, not fatal
                        out("ERROR connect_peer %s:%d %s" % (ep[0], ep[1], e))
        out("PROGRESS %d %d %d %d %d" % (st.total_wanted_done, st.total_wanted, st.download_payload_rate,
                                         st.upload_payload_rate, st.num_peers))
        out("UPLOADED %d" % st.total_payload_upload)
        if not done_reported and st.is_seeding and st.has_metadata and st.total_wanted_done == st.total_wanted \
                and st.state not in (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data):
            done_reported = True
            out("DONE")
        if st.errc and st.errc.value() != 0 and st.errc.message() != last_error:
            last_error = st.errc.message()  # once per distinct error, not every 200 ms
            out("ERROR torrent " + last_error)
        stop.wait(0.2)
    # final numbers, then leave without waiting for tracker "stopped" announces
    st = h.status()
    out("UPLOADED %d" % st.total_payload_upload)
    os._exit(0)


def wait_listen(ses):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        ses.wait_for_alert(200)
        for a in ses.pop_alerts():
            if isinstance(a, lt.listen_succeeded_alert):
                if a.socket_type == lt.socket_type_t.tcp:
                    return a.port
            elif isinstance(a, lt.listen_failed_alert):
                out("ERROR listen " + a.message())
                os._exit(3)
    if ses.listen_port() > 0:
        return ses.listen_port()
    out("ERROR listen: no listen_succeeded_alert in 10 s")
    os._exit(3)


def report_alert(a):
    if isinstance(a, lt.tracker_reply_alert):
        out("ANNOUNCED %s %d" % (a.tracker_url(), a.num_peers))
    elif isinstance(a, (lt.tracker_error_alert, lt.torrent_error_alert, lt.file_error_alert,
                        lt.hash_failed_alert, lt.listen_failed_alert)):
        out("ERROR " + a.message())
    elif isinstance(a, (lt.peer_connect_alert, lt.peer_disconnected_alert, lt.tracker_warning_alert)):
        sys.stderr.write(a.message() + "\n")
        sys.stderr.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
