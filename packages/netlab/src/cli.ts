/**
 * `npm run lab -- --nat NAT1 [--stun coturn|ours|none] [--remap | --cgnat] [--tcp-symmetric]
 * [--home-router allow|deny] [--ipv6 firewall|open] [--json]`: bring one lab
 * up by hand, print how to use it, and tear it down on Ctrl-C.
 */
import { parseArgs } from "node:util";
import { STUN_CLIENT_BIN } from "./apt-packages.js";
import { createLab } from "./lab/create-lab.js";
import { CGNAT_1024_POOL, type Lab, type LabStunServer, type NatType } from "./lab/types.js";

const USAGE = `usage: npm run lab -- --nat NAT1|NAT2|NAT3|NAT4|OPEN|UDP_BLOCKED [--stun ours|coturn|none] [--remap | --cgnat] [--json]

  --nat    router behaviour (required)
  --stun   STUN server in the WAN namespace (default: ours)
  --remap  the router picks public ports instead of keeping the inside port
  --cgnat  carrier-grade NAT: public ports at random from a block of 1,024 (20480-21503)
  --tcp-symmetric  TCP gets a new random public port per connection (UDP unchanged)
  --home-router allow|deny  put a home router running miniupnpd in front of the LAN host (two-level lab)
  --ipv6 firewall|open  add IPv6: the router routes a /64 to the LAN host, dropping new inbound (firewall) or not (open)
  --json   print the lab as one JSON object instead of prose
Needs root. Ctrl-C tears the lab down.`;

function describeLab(lab: Lab, configPath: string): string {
  const { lan, router, wan } = lab.namespaces;
  const primary = lab.wanServerIps.primary;
  const lines = [
    `netlab ${lab.id}: ${lab.options.nat}, ${lab.options.portPool ? `port block ${lab.options.portPool.first}-${lab.options.portPool.first + lab.options.portPool.size - 1}${lab.options.portPool.random ? " (random)" : ""}` : lab.options.portPreserving ? "port-preserving" : "remapping"}${lab.options.tcpSymmetric ? ", symmetric TCP" : ""}, STUN server: ${lab.options.stun}`,
    "",
    `  LAN host     ${lab.lanIp}  (namespace ${lan}, gateway ${lab.lanGatewayIp})`,
    ...(lab.homeRouter
      ? [
          `  home router  ${lab.homeRouter.lanIp} / WAN ${lab.homeRouter.wanIp}  (namespace ${lab.namespaces.home}; miniupnpd ${lab.homeRouter.descriptionUrl}, UPnP ${lab.options.homeRouter ? lab.options.homeRouter.upnp : ""})`,
        ]
      : []),
    `  router       ${lab.routerWanIp}  (namespace ${router})`,
    `  public IP    ${lab.publicIp}`,
    `  WAN servers  ${primary}, ${lab.wanServerIps.alternate}  (namespace ${wan}; ports ${lab.stunPorts.port}/${lab.stunPorts.altPort})`,
    ...(lab.ipv6
      ? [
          `  IPv6         LAN host ${lab.ipv6.lanIp} (${lab.ipv6.lanPrefix}), ${lab.ipv6.homeRouterWanIp ? `home router ${lab.ipv6.lanGatewayIp} / WAN ${lab.ipv6.homeRouterWanIp}, ` : ""}router ${lab.ipv6.routerWanIp}, firewall ${lab.ipv6.firewall ? "on" : "off"}`,
          `  WAN IPv6     ${lab.ipv6.wanServerIps.primary}, ${lab.ipv6.wanServerIps.alternate}`,
        ]
      : []),
    `  config       ${configPath}`,
    "",
    "Try:",
    ...(lab.options.stun === "none" ? [] : [`  ip netns exec ${lan} ${STUN_CLIENT_BIN} ${primary}`]),
    `  ip netns exec ${lan} npx autostun doctor --config ${configPath}`,
    `  ip netns exec ${router} nft list ruleset`,
    ...(lab.homeRouter
      ? [
          `  ip netns exec ${lab.namespaces.home} nft list chain inet filter ${lab.homeRouter.natChain}`,
          ...(lab.ipv6
            ? [
                `  ip netns exec ${lab.namespaces.home} nft list chain inet filter ${lab.homeRouter.filterChain}`,
              ]
            : []),
        ]
      : []),
    `  ip netns exec ${wan} socat - TCP4:${lab.publicIp}:<public port>`,
    "",
    "Ctrl-C tears the lab down.",
  ];
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  let values: {
    nat?: string;
    stun?: string;
    remap?: boolean;
    cgnat?: boolean;
    "tcp-symmetric"?: boolean;
    "home-router"?: string;
    ipv6?: string;
    json?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        nat: { type: "string" },
        stun: { type: "string" },
        remap: { type: "boolean" },
        cgnat: { type: "boolean" },
        "tcp-symmetric": { type: "boolean" },
        "home-router": { type: "string" },
        ipv6: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    process.stderr.write(`lab: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.nat) {
    process.stderr.write(`lab: --nat is required\n${USAGE}\n`);
    return 2;
  }
  if (values.ipv6 !== undefined && values.ipv6 !== "firewall" && values.ipv6 !== "open") {
    process.stderr.write(
      `lab: --ipv6 takes firewall or open; got ${JSON.stringify(values.ipv6)}\n${USAGE}\n`,
    );
    return 2;
  }
  let lab: Lab;
  try {
    lab = await createLab({
      nat: values.nat.toUpperCase() as NatType,
      stun: (values.stun ?? "ours") as LabStunServer,
      ...(values.cgnat ? { portPool: CGNAT_1024_POOL } : { portPreserving: !values.remap }),
      tcpSymmetric: Boolean(values["tcp-symmetric"]),
      ...(values["home-router"] !== undefined
        ? { homeRouter: { upnp: values["home-router"] as "allow" | "deny" } }
        : {}),
      ...(values.ipv6 !== undefined ? { ipv6: { firewall: values.ipv6 === "firewall" } } : {}),
    });
  } catch (error) {
    // A TypeError is bad usage (options were refused); anything else is the machine.
    const usage = error instanceof TypeError;
    process.stderr.write(`lab: ${(error as Error).message}\n${usage ? `${USAGE}\n` : ""}`);
    return usage ? 2 : 1;
  }
  const configPath = await lab.writeConfig();
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({
        id: lab.id,
        options: lab.options,
        namespaces: lab.namespaces,
        lanIp: lab.lanIp,
        lanGatewayIp: lab.lanGatewayIp,
        routerWanIp: lab.routerWanIp,
        homeRouter: lab.homeRouter
          ? {
              lanIp: lab.homeRouter.lanIp,
              wanIp: lab.homeRouter.wanIp,
              descriptionUrl: lab.homeRouter.descriptionUrl,
            }
          : null,
        publicIp: lab.publicIp,
        wanServerIps: lab.wanServerIps,
        stunServers: lab.stunServers,
        ...(lab.ipv6 ? { ipv6: lab.ipv6 } : {}),
        configPath,
      })}\n`,
    );
  } else {
    process.stdout.write(`${describeLab(lab, configPath)}\n`);
  }
  // Signal handlers do not hold the event loop open; a lab without servers would let the process end
  // (exit 13, top-level await unsettled) right after printing, its lab torn down by the exit guard.
  const holdOpen = setInterval(() => {}, 2 ** 30);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  clearInterval(holdOpen);
  await lab.teardown();
  if (!values.json) process.stdout.write("\nlab torn down\n");
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
