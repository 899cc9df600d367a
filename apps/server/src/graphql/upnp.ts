import { type AddressKind, addressKindOf, meansAnotherNat } from "@autostun/ip";
import type { UpnpView } from "@autostun/tunnels";
import { Tokens } from "../tokens.js";
import { builder } from "./builder.js";
import { TunnelRef } from "./tunnels.js";

const UpnpStateEnum = builder.enumType("UpnpMappingState", {
  description:
    "SEARCHING for the home router; MAPPED; NO_GATEWAY: none answered; FAILED: it would not map (see error); REMOVED after the tunnel stopped.",
  values: {
    SEARCHING: { value: "searching" },
    MAPPED: { value: "mapped" },
    NO_GATEWAY: { value: "no-gateway" },
    FAILED: { value: "failed" },
    REMOVED: { value: "removed" },
  } as const,
});

const UpnpProtocolEnum = builder.enumType("UpnpProtocol", {
  values: { UPNP: { value: "upnp" }, PCP: { value: "pcp" }, NAT_PMP: { value: "nat-pmp" } } as const,
});

/** The closed set of `@autostun/ip`'s address kinds, the one classifier the checks and the relay use too. */
export const AddressKindEnum = builder.enumType("AddressKind", {
  description:
    "What an IP address is, as far as reaching it from the internet goes: PUBLIC; PRIVATE (RFC 1918, IPv6 unique local); CGNAT (100.64.0.0/10, the carrier's shared space); LOOPBACK; LINK_LOCAL; RESERVED (documentation, benchmarking, multicast and other ranges never routed on the internet).",
  values: {
    PUBLIC: { value: "public" },
    PRIVATE: { value: "private" },
    CGNAT: { value: "cgnat" },
    LOOPBACK: { value: "loopback" },
    LINK_LOCAL: { value: "link-local" },
    RESERVED: { value: "reserved" },
  } as const satisfies Record<string, { value: AddressKind }>,
});

const TunnelUpnpRef = builder.objectRef<UpnpView>("TunnelUpnp").implement({
  description: "The tunnel's port mapping on a home router in front of this host (config `upnp`).",
  fields: (t) => ({
    state: t.field({ type: UpnpStateEnum, resolve: (u) => u.state }),
    protocol: t.field({ type: UpnpProtocolEnum, nullable: true, resolve: (u) => u.protocol ?? null }),
    gateway: t.string({
      nullable: true,
      description: "The router: its UPnP description URL, or its address for PCP and NAT-PMP",
      resolve: (u) => u.gateway ?? null,
    }),
    externalIp: t.string({
      nullable: true,
      description: "The router's WAN address as it reports it (see externalIpKind and secondNat)",
      resolve: (u) => u.externalIp ?? null,
    }),
    externalIpKind: t.field({
      type: AddressKindEnum,
      nullable: true,
      description: "The kind of externalIp; null when the router reported none, or no IP address",
      resolve: (u) => (u.externalIp ? (addressKindOf(u.externalIp) ?? null) : null),
    }),
    secondNat: t.boolean({
      nullable: true,
      description:
        "True when externalIp is private, link-local or CGNAT: another NAT sits beyond the home router (the check upnp.gateway judges the same way); null when externalIp is unknown",
      resolve: (u) => {
        const kind = u.externalIp ? addressKindOf(u.externalIp) : undefined;
        return kind ? meansAnotherNat(kind) : null;
      },
    }),
    externalPort: t.int({ nullable: true, resolve: (u) => u.externalPort ?? null }),
    leaseEndsAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When the router's lease runs out; renewed at half-time. Null for an endless lease",
      resolve: (u) => u.leaseEndsAt?.toISOString() ?? null,
    }),
    error: t.string({
      nullable: true,
      description: "What the router said, or why none was found",
      resolve: (u) => u.error ?? null,
    }),
  }),
});

builder.objectField(TunnelRef, "upnp", (t) =>
  t.field({
    type: TunnelUpnpRef,
    nullable: true,
    description:
      "The mapping of this tunnel's port on the home router; null while `upnp` is off or before it opened",
    resolve: (v, _args, ctx) => ctx.services.get(Tokens.Relay).upnpStatus(v.config.id) ?? null,
  }),
);
