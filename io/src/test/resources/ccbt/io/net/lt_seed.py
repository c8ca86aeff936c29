#!/usr/bin/python3
"""A libtorrent seeder on 127.0.0.1 for the wire interop test (DHT, LSD, UPnP, NAT-PMP off).

    lt_seed.py WORK_DIR

Writes WORK_DIR/content (256 KiB, byte i = (7 * i + 3) mod 256), makes a v1 torrent of it with 32 KiB
pieces, seeds it and prints "READY <info-hash hex> <port>". Exits when stdin closes.
"""
import os
import select
import sys
import time

import libtorrent as lt

work = sys.argv[1]
content = os.path.join(work, "content")
with open(content, "wb") as f:
    f.write(bytes((7 * i + 3) % 256 for i in range(256 * 1024)))

fs = lt.file_storage()
lt.add_files(fs, content)
ct = lt.create_torrent(fs, 32 * 1024, flags=lt.create_torrent.v1_only)
lt.set_piece_hashes(ct, work)
info = lt.torrent_info(lt.bdecode(lt.bencode(ct.generate())))

ses = lt.session({
    "listen_interfaces": "127.0.0.1:0",
    "enable_dht": False,
    "enable_lsd": False,
    "enable_upnp": False,
    "enable_natpmp": False,
    "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.peer_notification
    | lt.alert.category_t.connect_notification | lt.alert.category_t.status_notification,
})
atp = lt.add_torrent_params()
atp.ti = info
atp.save_path = work
atp.flags |= lt.torrent_flags.seed_mode
handle = ses.add_torrent(atp)
deadline = time.time() + 20
# Incoming peers for a torrent that is not started yet are dropped: wait until it seeds.
while (ses.listen_port() == 0 or not handle.status().is_seeding) and time.time() < deadline:
    time.sleep(0.05)
sys.stdout.write("READY %s %d\n" % (str(info.info_hash()), ses.listen_port()))
sys.stdout.flush()
# Until stdin closes, log libtorrent's alerts to stderr (the test keeps them in seeder.log).
while True:
    ready, _, _ = select.select([sys.stdin], [], [], 0.2)
    for a in ses.pop_alerts():
        sys.stderr.write("%s: %s\n" % (type(a).__name__, a.message()))
    sys.stderr.flush()
    if ready and not sys.stdin.readline():
        break
