#!/usr/bin/python3
"""A stand-in for the ccbt command line, for the swarm harness's own tests only.

    fake_ccbt.py LT_PEER_SCRIPT seed TORRENT DIR [--port N] [--bind A] [--state-dir D] [--metrics HOST:PORT]
    fake_ccbt.py LT_PEER_SCRIPT download TORRENT -o DIR [--peer HOST:PORT]... [--metrics HOST:PORT] [...]
    fake_ccbt.py LT_PEER_SCRIPT recheck TORRENT DIR

It speaks ccbt's side of the contract the harness relies on (prints "listening <port>" when seeding, serves
Prometheus text with ccbt_downloaded_bytes_total, stage quantiles and ccbt_ring_fill on --metrics, exits 0
once a download or recheck is complete, stops on SIGTERM) and does the BitTorrent work through the interop
driver lt_peer.py, so that the harness's ccbt path can be tested before the engine exists.
"""
import http.server
import os
import signal
import subprocess
import sys
import threading

lt_script, command, args = sys.argv[1], sys.argv[2], sys.argv[3:]
positional, options, peers = [], {}, []
i = 0
while i < len(args):
    if args[i] == "--peer":
        peers.append(args[i + 1]); i += 2
    elif args[i].startswith("-"):
        options[args[i]] = args[i + 1]; i += 2
    else:
        positional.append(args[i]); i += 1

if command == "seed":
    lt_args = [positional[0], positional[1], "seed"]
elif command == "download":
    lt_args = [positional[0], options["-o"], "leech"]
    for p in peers:
        lt_args += ["--peer", p]
elif command == "recheck":
    lt_args = [positional[0], positional[1], "seed", "--recheck"]
else:
    sys.exit("fake_ccbt: unknown command " + command)
lt_args += ["--port", "0", "--no-trackers"]

state = {"down": 0, "up": 0}


class Metrics(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("# TYPE ccbt_downloaded_bytes_total counter\n"
                "ccbt_downloaded_bytes_total %d\n"
                "ccbt_uploaded_bytes_total %d\n"
                'ccbt_stage_service_seconds{stage="hash-verify",quantile="0.5"} 0.0002\n'
                'ccbt_stage_service_seconds{stage="hash-verify",quantile="0.99"} 0.0009\n'
                'ccbt_stage_service_seconds{stage="hash-verify",quantile="0.999"} 0.002\n'
                'ccbt_stage_queue_wait_seconds{stage="hash-verify",quantile="0.5"} 0.00001\n'
                "ccbt_ring_fill 1\n") % (state["down"], state["up"])
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


if "--metrics" in options:
    host, _, port = options["--metrics"].rpartition(":")
    server = http.server.ThreadingHTTPServer((host, int(port)), Metrics)
    threading.Thread(target=server.serve_forever, daemon=True).start()

lt = subprocess.Popen(["/usr/bin/python3", lt_script] + lt_args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                      text=True)


def quit_lt(code):
    try:
        lt.stdin.write("QUIT\n"); lt.stdin.flush()
    except OSError:
        pass
    lt.wait(10)
    os._exit(code)


signal.signal(signal.SIGTERM, lambda s, f: quit_lt(143))
for line in lt.stdout:
    f = line.split()
    if not f:
        continue
    if f[0] == "LISTEN" and command == "seed":
        print("listening " + f[1], flush=True)
    elif f[0] == "PROGRESS" and command == "download":
        state["down"] = int(f[1])
    elif f[0] == "UPLOADED":
        state["up"] = int(f[1])
    elif f[0] == "ERROR":
        sys.stderr.write(line)
    elif f[0] == "DONE" and command in ("download", "recheck"):
        quit_lt(0)
quit_lt(1)
