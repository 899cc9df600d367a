#!/usr/bin/python3
"""A BitTorrent peer that dials out and stays connected (libtorrent from Debian's python3-libtorrent).

Lab tests run it inside a network namespace (see swarm-peer.ts) to become one of a client's incoming
peers: it joins a torrent with no data of its own, listens on one address only and connects to the
client over TCP (uTP off, so the client lists it as a plain BitTorrent connection). Neither side has
anything to give, so the connection stays up until this process ends. DHT, local discovery, UPnP and
NAT-PMP are off so nothing leaves the lab.

One JSON object a line on stdout:
  {"event": "listening", "address": "[ip]:port"}
  {"event": "peers", "peers": ["[ip]:port", ...]}    (every second, the connected peers)
  {"event": "error", "message": "..."}                (then exits 1)
"""
import argparse
import json
import sys
import time

import libtorrent as lt


def say(event, **fields):
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def fail(message):
    say("error", message=message)
    sys.exit(1)


def split_address(text, what):
    """`[v6]:port` or `v4:port` into libtorrent's (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        fail(f"{what} must be ip:port or [ip]:port, got {text!r}")
    return host.strip("[]"), int(port)


def shown(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torrent", required=True)
    parser.add_argument("--save", required=True, help="an empty folder")
    parser.add_argument("--listen", required=True, help="[ip]:port to listen on and dial from")
    parser.add_argument("--connect", required=True, help="[ip]:port of the client")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()

    host, port = split_address(args.listen, "--listen")
    session = lt.session(
        {
            "listen_interfaces": args.listen,
            "outgoing_interfaces": host,
            "enable_incoming_utp": False,
            "enable_outgoing_utp": False,
            "enable_dht": False,
            "enable_lsd": False,
            "enable_upnp": False,
            "enable_natpmp": False,
            "user_agent": "autostun-lab-swarm-peer",
            "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
        }
    )
    deadline = time.monotonic() + args.timeout
    listening = False
    while not listening and time.monotonic() < deadline:
        session.wait_for_alert(500)
        for alert in session.pop_alerts():
            if isinstance(alert, lt.listen_failed_alert):
                fail(f"listening failed: {alert.message()}")
            if isinstance(alert, lt.listen_succeeded_alert):
                listening = True
    if not listening:
        fail("libtorrent reported no listen socket in time")
    say("listening", address=shown(host, port))

    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(args.torrent)
    params.save_path = args.save
    handle = session.add_torrent(params)
    target = split_address(args.connect, "--connect")
    last = 0.0
    while time.monotonic() < deadline:
        session.wait_for_alert(200)
        session.pop_alerts()
        now = time.monotonic()
        if now - last < 1.0:
            continue
        last = now
        peers = [shown(p.ip[0], p.ip[1]) for p in handle.get_peer_info()]
        say("peers", peers=peers)
        # A client that was not ready yet (or refused us) is dialled again.
        if not peers:
            handle.connect_peer(target)
    fail(f"ran for {args.timeout:g} s")


if __name__ == "__main__":
    main()
