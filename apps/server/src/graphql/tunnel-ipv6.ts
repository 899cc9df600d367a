import type { PinholeActivityState } from "@autostun/plugins-api";
import type { TunnelIpv6View, TunnelPinholeView } from "@autostun/tunnels";
import { Tokens } from "../tokens.js";
import { builder } from "./builder.js";
import { TunnelRef } from "./tunnels.js";

const PinholeStateEnum = builder.enumType("PinholeState", {
  description:
    "Where the pinhole for the downloader's IPv6 port stands on the home router: SEARCHING for a router; OPEN; NO_GATEWAY: no router offers pinholes (UPnP IGD v2 or PCP); FAILED: the router refused (see error); REMOVED after the tunnel stopped; UNSUPPORTED: none can be opened from here (see error: the downloader runs on another machine, this host has no global IPv6 address, or its addresses cannot be read).",
  values: [
    "SEARCHING",
    "OPEN",
    "NO_GATEWAY",
    "FAILED",
    "REMOVED",
    "UNSUPPORTED",
  ] as const satisfies readonly PinholeActivityState[],
});

const PinholeProtocolEnum = builder.enumType("PinholeProtocol", {
  description: "How the router was asked: UPnP IGD v2 WANIPv6FirewallControl, or PCP MAP.",
  values: { UPNP: { value: "upnp" }, PCP: { value: "pcp" } } as const,
});

const TunnelPinholeRef = builder.objectRef<TunnelPinholeView>("TunnelPinhole").implement({
  description:
    "The pinhole in the home router's IPv6 firewall that lets peers in to the downloader's address and port (config `upnp`).",
  fields: (t) => ({
    state: t.field({ type: PinholeStateEnum, resolve: (p) => p.state }),
    protocol: t.field({ type: PinholeProtocolEnum, nullable: true, resolve: (p) => p.protocol ?? null }),
    gateway: t.string({
      nullable: true,
      description: "The router: its UPnP description URL, or its address for PCP",
      resolve: (p) => p.gateway ?? null,
    }),
    tcp: t.boolean({ description: "The router lets TCP peers in now", resolve: (p) => p.tcp }),
    udp: t.boolean({
      description: "The router lets UDP (uTP, DHT) in now; only asked for a tunnel with udp: true",
      resolve: (p) => p.udp,
    }),
    leaseEndsAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When the router's lease ends (the earlier of TCP's and UDP's); renewed before",
      resolve: (p) => p.leaseEndsAt?.toISOString() ?? null,
    }),
    error: t.string({
      nullable: true,
      description: "Why it is not OPEN, in the router's or AutoSTUN's words",
      resolve: (p) => p.error ?? null,
    }),
  }),
});

const TunnelIpv6Ref = builder.objectRef<TunnelIpv6View>("TunnelIpv6").implement({
  description:
    "The tunnel's IPv6 path: over IPv6 peers reach the downloader at its own address and port, without the tunnel; only firewalls stand in the way.",
  fields: (t) => ({
    address: t.string({
      nullable: true,
      description:
        "The downloader's global IPv6 address (the one it is bound to, else this host's stable one); null when unknown: no global IPv6 here, or the downloader runs on another machine",
      resolve: (v) => v.address ?? null,
    }),
    port: t.int({
      description: "The downloader's port: the tunnel's target port, as the downloader was told",
      resolve: (v) => v.port,
    }),
    pinhole: t.field({
      type: TunnelPinholeRef,
      nullable: true,
      description: "The pinhole on the home router; null while upnp.enabled is false",
      resolve: (v) => v.pinhole ?? null,
    }),
  }),
});

builder.objectField(TunnelRef, "ipv6", (t) =>
  t.field({
    type: TunnelIpv6Ref,
    nullable: true,
    description:
      "The downloader's IPv6 path and its pinhole; null until the tunnel knows its target port (first open)",
    resolve: (v, _args, ctx) => ctx.services.get(Tokens.Relay).ipv6Status(v.config.id) ?? null,
  }),
);
