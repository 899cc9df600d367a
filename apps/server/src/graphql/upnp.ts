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
      description:
        "The router's WAN address as it reports it; private or 100.64/10 means another NAT beyond it",
      resolve: (u) => u.externalIp ?? null,
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
