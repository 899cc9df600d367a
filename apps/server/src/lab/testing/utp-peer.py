#!/usr/bin/python3
"""A BitTorrent peer that speaks uTP only (libtorrent from Debian's python3-libtorrent).

Lab tests run it inside a network namespace (see utp-peer.ts). TCP is off both ways, so any peer it
talks to was reached over uTP; every peer it lists carries libtorrent's own verdict (the peer's
socket flags), which is the proof the tests assert. DHT, local discovery, UPnP and NAT-PMP are off so
nothing leaves the lab, and it listens on one address only so its datagrams come from that address.

It prints one JSON object a line on stdout:
  {"event": "listening", "address": "ip:port"}
  {"event": "ready", "seeding": bool}                                      (peers are welcome now)
  {"event": "progress", "progress": 0.42, "bytes": n, "rate": bytes_per_s, "peers": [peer, ...]}
  {"event": "done", "bytes": n, "seconds": s, "cpu": s, "peers": [peer, ...]}  (downloads; seeds never end)
  {"event": "error", "message": "..."}                                     (then exits 1)
seconds run from the first connected peer; cpu is this process's user + system time so far. And
where peer is {"address": "ip:port", "utp": bool, "tcp": bool, "seed": bool, "outgoing": bool}.
"""
import argparse
import json
import os
import sys
import time

import libtorrent as lt

# peer_info::utp_socket in libtorrent 2.0 (bit 17); the Python bindings do not export the constant.
UTP_SOCKET = 1 << 17


def say(event, **fields):
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def fail(message):
    say("error", message=message)
    sys.exit(1)


def parse_address(text, what):
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        fail(f"{what} must be ip:port, got {text!r}")
    return host, int(port)


def session_for(listen, verbose):
    host, port = parse_address(listen, "--listen")
    settings = {
        "listen_interfaces": f"{host}:{port}",
        "outgoing_interfaces": host,
        "enable_incoming_tcp": False,
        "enable_outgoing_tcp": False,
        "enable_incoming_utp": True,
        "enable_outgoing_utp": True,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        # The lab's peers share a subnet and sometimes an address; libtorrent would refuse the second.
        "allow_multiple_connections_per_ip": True,
        "alert_mask": lt.alert.category_t.error_notification
        | lt.alert.category_t.status_notification
        | lt.alert.category_t.peer_notification
        | lt.alert.category_t.connect_notification,
        "user_agent": "autostun-lab-utp-peer",
    }
    if verbose:
        settings["alert_mask"] = lt.alert.category_t.all_categories
    return lt.session(settings)


def wait_listening(session, deadline):
    while time.monotonic() < deadline:
        session.wait_for_alert(500)
        for alert in session.pop_alerts():
            if isinstance(alert, lt.listen_failed_alert):
                fail(f"listening failed: {alert.message()}")
            if isinstance(alert, lt.listen_succeeded_alert) and "[uTP]" in alert.message():
                return
    fail("libtorrent did not report a UDP listen socket within the time limit")


def peer_rows(handle):
    rows = []
    for peer in handle.get_peer_info():
        utp = bool(int(peer.flags) & UTP_SOCKET)
        rows.append(
            {
                "address": f"{peer.ip[0]}:{peer.ip[1]}",
                "utp": utp,
                "tcp": not utp,
                "seed": bool(int(peer.flags) & int(lt.peer_info.seed)),
                "outgoing": bool(int(peer.flags) & int(lt.peer_info.outgoing_connection)),
            }
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torrent", required=True, help=".torrent file")
    parser.add_argument("--save", required=True, help="folder the data is read from or written to")
    parser.add_argument("--listen", required=True, help="ip:port to listen on (uTP)")
    parser.add_argument("--connect", action="append", default=[], help="ip:port of a peer to connect to")
    parser.add_argument("--seed", action="store_true", help="the data is complete in --save: seed it")
    parser.add_argument("--timeout", type=float, default=120.0, help="give up after this many seconds")
    parser.add_argument("--verbose", action="store_true", help="every libtorrent alert to stderr")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between progress lines")
    args = parser.parse_args()

    started = time.monotonic()
    deadline = started + args.timeout
    try:
        info = lt.torrent_info(args.torrent)
    except RuntimeError as error:
        fail(f"cannot read the torrent {args.torrent}: {error}")
    session = session_for(args.listen, args.verbose)
    wait_listening(session, deadline)
    say("listening", address=args.listen)

    params = lt.add_torrent_params()
    params.ti = info
    params.save_path = args.save
    if args.seed:
        # Trust the data instead of hashing it all first; pieces are still checked when first sent.
        params.flags |= lt.torrent_flags.seed_mode
    handle = session.add_torrent(params)
    # Until the torrent runs libtorrent turns peers away, and a refused peer is retried only later.
    while not handle.status().state in (lt.torrent_status.seeding, lt.torrent_status.downloading):
        if time.monotonic() > deadline:
            fail(f"the torrent never started; state {handle.status().state}")
        time.sleep(0.05)
    say("ready", seeding=handle.status().is_seeding)
    for peer in args.connect:
        handle.connect_peer(parse_address(peer, "--connect"))

    seen = {}
    last = 0.0
    connected_at = None
    while True:
        now = time.monotonic()
        if now > deadline:
            fail(f"gave up after {args.timeout:g} s; progress {handle.status().progress:.3f}")
        # Short waits keep the start and end of a transfer (benchmarks time it) within ~50 ms.
        session.wait_for_alert(50)
        for alert in session.pop_alerts():
            if args.verbose or isinstance(alert, (lt.peer_error_alert, lt.peer_disconnected_alert)):
                sys.stderr.write(f"{alert.message()}\n")
        rows = peer_rows(handle)
        for row in rows:
            seen[row["address"]] = row
        status = handle.status()
        if rows and connected_at is None:
            connected_at = now
        if not args.seed and status.is_seeding:
            elapsed = now - (connected_at or started)
            say(
                "done",
                bytes=info.total_size(),
                seconds=round(elapsed, 3),
                cpu=round(sum(os.times()[:2]), 3),
                peers=list(seen.values()),
            )
            return
        if now - last >= args.interval:
            last = now
            say(
                "progress",
                progress=round(status.progress, 4),
                bytes=status.total_wanted_done,
                rate=status.download_payload_rate if not args.seed else status.upload_payload_rate,
                uploaded=status.total_payload_upload,
                peers=rows,
            )
            # A peer that turned us away (or was not up yet) gets asked again.
            if not rows:
                for peer in args.connect:
                    handle.connect_peer(parse_address(peer, "--connect"))


if __name__ == "__main__":
    main()
