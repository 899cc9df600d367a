/**
 * Lab fixture: the relay as the daemon will compose it — a Tunnel with the user-space forwarder, or
 * with nftables forwarding — run inside the LAN namespace (`ip netns exec <lan> node --import tsx
 * run-relay.ts '<json>'`). Prints one JSON line per tunnel change (`{"kind":"status",…}`) and answers
 * JSON commands on stdin (`ban`, `unban`, `stats`, `connections`, `resolve`, `nft`) with `{"kind":"reply",…}`.
 * SIGTERM stops everything and exits; SIGKILL plays a crash.
 */
import { createInterface } from "node:readline";
import type { Logger } from "@autostun/plugins-api";
import { createCommandRunner } from "@autostun/probes";
import { BanList } from "../bans/ban-list.js";
import { ConnectionTable } from "../connections/connection-table.js";
import { Forwarder } from "../forward/forwarder.js";
import { NftablesForwarding } from "../nftables/nftables-forwarding.js";
import { AUTOSTUN_TABLE, NftablesTable } from "../nftables/nftables-table.js";
import { validateTarget } from "../target/validate-target.js";
import type { TunnelInbound } from "../tunnel/inbound-path.js";
import type { TunnelTiming } from "../tunnel/timing.js";
import { Tunnel } from "../tunnel/tunnel.js";

export type RelayMode = "userspace" | "nftables" | "relay-port" | "direct-downloader";

export interface RunRelayConfig {
  id: string;
  mode: RelayMode;
  stunServers: string[];
  keepaliveTarget: string;
  localPort: number;
  /** Where peers go ("127.0.0.1:7000"); for relay-port, the downloader's port on this host. */
  target: string;
  timing: Partial<TunnelTiming>;
}

export type RelayCommand =
  | { op: "ban"; cidr: string; ttlSeconds?: number }
  | { op: "unban"; cidr: string }
  | { op: "stats" }
  | { op: "connections" }
  | { op: "resolve"; address: string }
  | { op: "nft" };

const config = JSON.parse(process.argv[2] ?? "{}") as RunRelayConfig;
const logger: Logger = Object.fromEntries(
  (["debug", "info", "warn", "error"] as const).map((level) => [
    level,
    (message: string, fields?: unknown) =>
      process.stderr.write(`${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}\n`),
  ]),
) as unknown as Logger;
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const runner = createCommandRunner();
const bans = new BanList({ logger });
const table = new ConnectionTable({ logger });
const target = await validateTarget(config.id, config.target);
const nftTable = new NftablesTable(runner, logger);

let forwarder: Forwarder | undefined;
let nftables: NftablesForwarding | undefined;
const inbound: TunnelInbound =
  config.mode === "nftables"
    ? { kind: "kernel-dnat" }
    : config.mode === "relay-port"
      ? { kind: "relay-port", port: 0 }
      : config.mode === "direct-downloader"
        ? { kind: "downloader-on-p" }
        : { kind: "listen-on-p" };
if (config.mode === "userspace" || config.mode === "relay-port") {
  forwarder = new Forwarder({ target, bans, table, logger });
}

const tunnel = new Tunnel({
  id: config.id,
  localPort: config.localPort,
  stunServers: config.stunServers,
  keepalive: { target: config.keepaliveTarget },
  logger,
  timing: config.timing,
  inbound,
  handler: forwarder ?? { handle: (socket) => socket.destroy() },
});

if (config.mode === "nftables") {
  nftables = new NftablesForwarding({
    tunnelId: config.id,
    to: { target },
    table: nftTable,
    runner,
    bans,
    logger,
  });
  nftables.follow(tunnel, {
    onLoaded: (port) => print({ kind: "forwarding", port, at: Date.now() }),
    onError: () => void tunnel.stop(),
  });
}
if (config.mode === "relay-port") {
  // The redirect needs R, which the tunnel picks at its first open; P comes with the same event.
  tunnel.onPortChange(({ localPort }) => {
    const relayPort = tunnel.status.listenPort as number;
    nftables ??= new NftablesForwarding({
      tunnelId: config.id,
      to: { relayPort },
      table: nftTable,
      runner,
      logger,
    });
    nftables.start(localPort).then(
      () => print({ kind: "forwarding", port: localPort, at: Date.now() }),
      (error: Error) => logger.error(error.message),
    );
  });
}
tunnel.onChange(({ status }) => print({ kind: "status", ...status, at: Date.now() }));
tunnel.onPortChange((change) => print({ kind: "ports", ...change }));

async function answer(command: RelayCommand): Promise<unknown> {
  switch (command.op) {
    // Answered once every part of the relay applied it: the kernel's set included.
    case "ban":
      return await bans.ban({ cidr: command.cidr, ttlSeconds: command.ttlSeconds ?? null });
    case "unban":
      return await bans.unban(command.cidr);
    case "stats":
      return nftables && config.mode === "nftables" ? await nftables.stats() : forwarder?.stats();
    case "connections":
      return table.list({ tunnelId: config.id });
    case "resolve":
      return table.resolvePeer(command.address) ?? null;
    case "nft":
      return (await runner.run("nft", ["-j", "list", "table", AUTOSTUN_TABLE.family, AUTOSTUN_TABLE.name]))
        .stdout;
  }
}

createInterface({ input: process.stdin }).on("line", (line) => {
  const { seq, ...command } = JSON.parse(line) as RelayCommand & { seq: number };
  answer(command as RelayCommand).then(
    (value) => print({ kind: "reply", seq, value }),
    (error: Error) => print({ kind: "reply", seq, error: error.message }),
  );
});

process.once("SIGTERM", () => {
  void (async () => {
    await tunnel.stop();
    forwarder?.close();
    await nftables?.stop();
    process.exit(0);
  })();
});
tunnel.start();
