import { type ChildProcess, spawn as spawnChild } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { writeLabConfig } from "../config/write-config.js";
import { dropsAnything, LOSS_TABLE, lossTable } from "../nat/loss.js";
import { type LaunchedServer, launchCoturn, type ServerPlan } from "../servers/coturn.js";
import { launchOurs } from "../servers/ours.js";
import { waitForListeners } from "../servers/wait-ready.js";
import { run, runOrThrow } from "../util/run.js";
import { ADDRESSES } from "./addresses.js";
import { ADDRESSES6, bracketed } from "./addresses6.js";
import { guardLab, releaseLab } from "./exit-guard.js";
import { startMiniupnpd, wireHomeRouter } from "./home-router.js";
import { namespacesFor, newLabId } from "./names.js";
import { destroyNamespaces, destroyNamespacesSync } from "./namespaces.js";
import {
  addNamespaces,
  addWanAddress,
  planNetwork,
  routerNftables,
  waitForLinks,
  wireNetwork,
} from "./network.js";
import { addWanAddress6, applyFirewall6, wireIpv6 } from "./network6.js";
import { assertRoot, resolveLoss, resolveOptions } from "./options.js";
import { moveRouterWanAddress, nextRouterWanIp } from "./public-ip.js";
import { sweepStaleLabs } from "./sweep.js";
import { assertNatSwitch, switchRouterNat } from "./switch-nat.js";
import type {
  ExecResult,
  Lab,
  LabExecOptions,
  LabHomeRouterInfo,
  LabIpv6Info,
  LabLoss,
  LabNamespaces,
  LabOptions,
  NatType,
} from "./types.js";

/** How long a child gets to exit on SIGTERM before it is killed outright. */
const GRACE_MS = 1_000;
/** The router's NAT table, as `nat/ruleset.ts` names it. */
const LAB_TABLE = { family: "ip", name: "lab" } as const;

class RunningLab implements Lab {
  readonly lanIp: string;
  readonly lanGatewayIp: string;
  private wanIp: string = ADDRESSES.routerWan;
  private wanIpChanges = 0;
  private readonly lanPublicIp: string | undefined;
  readonly wanServerIps = { primary: ADDRESSES.stunPrimary, alternate: ADDRESSES.stunAlternate };
  readonly stunPorts = { port: ADDRESSES.stunPort, altPort: ADDRESSES.stunAltPort };
  readonly stunServers: { udp: string[]; tcp: string[]; udp6?: string[]; tcp6?: string[] };
  private ipv6Firewall: boolean | undefined;
  homeRouter: LabHomeRouterInfo | undefined;

  private readonly children = new Set<ChildProcess>();
  private nextPeerHost: number = ADDRESSES.firstPeerHost;
  private nextPeerHost6: number = ADDRESSES6.firstPeerHost;
  private configCount = 0;
  private tearingDown: Promise<void> | undefined;

  constructor(
    readonly id: string,
    private currentOptions: Readonly<Required<LabOptions>>,
    readonly namespaces: LabNamespaces,
    readonly dir: string,
  ) {
    const options = currentOptions;
    const plan = planNetwork(
      options.nat,
      options.portPreserving,
      options.tcpSymmetric,
      !!options.homeRouter,
      options.portPool,
    );
    this.lanIp = plan.lanIp;
    this.lanGatewayIp = plan.lanGatewayIp;
    this.lanPublicIp = options.nat === "OPEN" ? plan.lanIp : undefined;
    const servers =
      options.stun === "none"
        ? []
        : [this.wanServerIps.primary, this.wanServerIps.alternate].map(
            (ip) => `${ip}:${this.stunPorts.port}`,
          );
    this.stunServers = { udp: servers, tcp: [...servers] };
    if (options.ipv6) {
      this.ipv6Firewall = options.ipv6.firewall;
      const servers6 =
        options.stun === "none"
          ? []
          : [ADDRESSES6.stunPrimary, ADDRESSES6.stunAlternate].map((ip) =>
              bracketed(ip, this.stunPorts.port),
            );
      this.stunServers.udp6 = servers6;
      this.stunServers.tcp6 = [...servers6];
    }
  }

  get ipv6(): LabIpv6Info | undefined {
    if (this.ipv6Firewall === undefined) return undefined;
    return {
      lanIp: ADDRESSES6.lanHost,
      lanGatewayIp: ADDRESSES6.lanGateway,
      lanPrefix: ADDRESSES6.lanPrefix,
      routerWanIp: ADDRESSES6.routerWan,
      ...(this.options.homeRouter ? { homeRouterWanIp: ADDRESSES6.homeRouterWan } : {}),
      wanServerIps: { primary: ADDRESSES6.stunPrimary, alternate: ADDRESSES6.stunAlternate },
      firewall: this.ipv6Firewall,
    };
  }

  private assertIpv6(what: string): void {
    if (this.ipv6Firewall === undefined)
      throw new Error(`netlab: ${what} needs IPv6; lab ${this.id} was built without the ipv6 option`);
  }

  /** Start miniupnpd on the home router of a two-level lab. */
  async startHomeRouter(): Promise<void> {
    const home = this.options.homeRouter;
    if (!home) return;
    this.homeRouter = await startMiniupnpd(
      this.namespaces,
      home.upnp,
      this.dir,
      (ns, file, args) => this.spawn(ns, file, args),
      (ns, file, args) => this.exec(ns, file, args),
      !!this.options.ipv6,
    );
  }

  /** Accept a role ("lan", "router", "wan", "home") or one of this lab's namespace names. */
  private resolveNs(ns: string): string {
    const byRole = (this.namespaces as unknown as Record<string, string>)[ns];
    if (byRole) return byRole;
    if (Object.values(this.namespaces).includes(ns)) return ns;
    throw new Error(
      `netlab: "${ns}" is not a namespace of lab ${this.id}; use lan, router, wan or ${Object.values(this.namespaces).join(", ")}`,
    );
  }

  exec(
    ns: string,
    file: string,
    args: readonly string[] = [],
    opts: LabExecOptions = {},
  ): Promise<ExecResult> {
    return run("ip", ["netns", "exec", this.resolveNs(ns), file, ...args], opts);
  }

  spawn(ns: string, file: string, args: readonly string[] = [], opts: { env?: Record<string, string> } = {}) {
    if (this.tearingDown) throw new Error(`netlab: lab ${this.id} is torn down; cannot start ${file}`);
    const child = spawnChild("ip", ["netns", "exec", this.resolveNs(ns), file, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
    });
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
    // A failed spawn must not become an unhandled 'error' that kills the test process.
    child.once("error", () => this.children.delete(child));
    return child;
  }

  async resetMappings(): Promise<void> {
    const nft = routerNftables(this.namespaces);
    const table = await nft.listTable(LAB_TABLE);
    // OPEN and the masquerading types have no maps, and then there is nothing to flush.
    const flushes = (table?.maps ?? []).map((map) => `flush map ip lab ${map.name}`);
    // A router that reboots forgets everything at once and passes no packet meanwhile. Flushing maps and
    // conntrack one after the other leaves a window in which a keep-alive that crosses an old conntrack
    // entry teaches the maps the old port again (the tunnel then never sees its mapping lost), so the
    // router drops every packet before conntrack sees it until both are flushed.
    await nft.load(
      "add table ip lab_reset\nadd chain ip lab_reset cut { type filter hook prerouting priority -400; policy drop; }\n",
      "cutting the router's traffic for the reset",
    );
    try {
      if (flushes.length > 0) await nft.load(`${flushes.join("\n")}\n`, "flushing the router's learned maps");
      await runOrThrow(
        "ip",
        ["netns", "exec", this.namespaces.router, "conntrack", "-F"],
        "flushing the router's conntrack table",
      );
    } finally {
      await nft.load("delete table ip lab_reset\n", "restoring the router's traffic after the reset");
    }
  }

  get routerWanIp(): string {
    return this.wanIp;
  }

  get publicIp(): string {
    return this.lanPublicIp ?? this.wanIp;
  }

  async changePublicIp(): Promise<string> {
    const next = nextRouterWanIp(this.wanIp, this.wanIpChanges++);
    await moveRouterWanAddress(this.namespaces, this.options, this.wanIp, next);
    this.wanIp = next;
    return next;
  }

  /** What the lab was built with; `nat` follows {@link setNat}. */
  get options(): Readonly<Required<LabOptions>> {
    return this.currentOptions;
  }

  async setNat(next: NatType): Promise<void> {
    const nat = assertNatSwitch(this.currentOptions, next);
    await switchRouterNat(this.namespaces, this.currentOptions, nat, this.wanIp);
    this.currentOptions = { ...this.currentOptions, nat };
  }

  async setLoss(loss: LabLoss): Promise<void> {
    const checked = resolveLoss(loss);
    const nft = routerNftables(this.namespaces);
    if (dropsAnything(checked)) await nft.applyTable(lossTable(checked));
    else await nft.removeTable(LOSS_TABLE);
  }

  async addWanAddress(): Promise<string> {
    if (this.nextPeerHost > 254) throw new Error(`netlab: lab ${this.id} has no WAN addresses left`);
    const ip = `${ADDRESSES.wanNetworkBase}${this.nextPeerHost++}`;
    await addWanAddress(this.namespaces, ip);
    return ip;
  }

  async addWanAddress6(): Promise<string> {
    this.assertIpv6("addWanAddress6");
    if (this.nextPeerHost6 > ADDRESSES6.lastPeerHost)
      throw new Error(`netlab: lab ${this.id} has no IPv6 WAN addresses left`);
    const ip = `${ADDRESSES6.wanNetworkBase}${(this.nextPeerHost6++).toString(16)}`;
    await addWanAddress6(this.namespaces, ip);
    return ip;
  }

  async setIpv6Firewall(on: boolean): Promise<void> {
    this.assertIpv6("setIpv6Firewall");
    if (typeof on !== "boolean")
      throw new TypeError(`netlab: setIpv6Firewall needs true or false; got ${JSON.stringify(on)}`);
    await applyFirewall6(this.namespaces, on);
    this.ipv6Firewall = on;
  }

  writeConfig(extra?: Record<string, unknown>): Promise<string> {
    return writeLabConfig({ dir: this.dir, index: this.configCount++, stun: this.stunServers, extra });
  }

  async startStunServer(): Promise<void> {
    if (this.options.stun === "none") return;
    const plan: ServerPlan = { ...this.wanServerIps, ...this.stunPorts, dir: this.dir };
    const spawnInWan = (file: string, args: readonly string[]) => this.spawn("wan", file, args);
    const server: LaunchedServer =
      this.options.stun === "coturn" ? launchCoturn(spawnInWan, plan) : launchOurs(spawnInWan, plan);
    await waitForListeners((file, args) => this.exec("wan", file, args), server.expected, {
      name: `the ${this.options.stun} STUN server`,
      child: server.child,
      describe: server.describe,
    });
    if (this.options.ipv6) await this.startStunServer6(spawnInWan);
  }

  /**
   * Our server on the two IPv6 WAN addresses, whatever serves IPv4: one server process speaks one
   * address family (RFC 5780 pairs a primary with an alternate of the same family).
   */
  private async startStunServer6(spawnInWan: (file: string, args: readonly string[]) => ChildProcess) {
    const server = launchOurs(spawnInWan, {
      primary: ADDRESSES6.stunPrimary,
      alternate: ADDRESSES6.stunAlternate,
      ...this.stunPorts,
      dir: this.dir,
    });
    const expected = {
      udp: server.expected.udp.map(toBracketed),
      tcp: server.expected.tcp.map(toBracketed),
    };
    await waitForListeners((file, args) => this.exec("wan", file, args), expected, {
      name: "our STUN server on IPv6",
      child: server.child,
      describe: server.describe,
    });
  }

  waitForListening(
    ns: string,
    sockets: { udp?: readonly string[]; tcp?: readonly string[] },
    timeoutMs = 5_000,
  ): Promise<void> {
    const target = this.resolveNs(ns);
    return waitForListeners(
      (file, args) => this.exec(target, file, args),
      { udp: sockets.udp ?? [], tcp: sockets.tcp ?? [] },
      { name: `a listener in ${target}` },
      timeoutMs,
    );
  }

  teardown(): Promise<void> {
    this.tearingDown ??= this.doTeardown();
    return this.tearingDown;
  }

  private async doTeardown(): Promise<void> {
    await Promise.all([...this.children].map((child) => stopChild(child)));
    await destroyNamespaces(Object.values(this.namespaces));
    await rm(this.dir, { recursive: true, force: true });
    releaseLab(this.id);
  }

  /** For exit handlers: no awaiting, no grace period. */
  teardownSync(): void {
    for (const child of this.children) child.kill("SIGKILL");
    destroyNamespacesSync(Object.values(this.namespaces));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `ip:port` with an IPv6 ip, as the launcher lists it, to the `[ip]:port` that `ss` prints. */
function toBracketed(socket: string): string {
  const cut = socket.lastIndexOf(":");
  return bracketed(socket.slice(0, cut), Number(socket.slice(cut + 1)));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const graceOver = delay(GRACE_MS).then(() => "late" as const);
  if ((await Promise.race([exited, graceOver])) === "late") {
    child.kill("SIGKILL");
    await exited;
  }
}

/**
 * Build a NAT lab: LAN host -> router (the NAT) -> WAN with two server addresses, and
 * start the chosen STUN server there. The lab is torn down by {@link Lab.teardown}, at
 * process exit or on SIGINT/SIGTERM, or else by the next run's sweeper.
 *
 * @example
 * const lab = await createLab({ nat: "NAT1", stun: "coturn" });
 * onTestFinished(() => lab.teardown());
 * await lab.exec("lan", "stun", [lab.wanServerIps.primary]);
 */
export async function createLab(options: LabOptions): Promise<Lab> {
  const resolved = resolveOptions(options);
  assertRoot();
  await sweepStaleLabs();
  const id = newLabId();
  const namespaces = namespacesFor(id, !!resolved.homeRouter);
  const dir = await mkdtemp(join(tmpdir(), `asl-${id}-`));
  const lab = new RunningLab(id, resolved, namespaces, dir);
  guardLab(id, () => lab.teardownSync());
  try {
    await addNamespaces(namespaces);
    await wireNetwork(
      namespaces,
      planNetwork(
        resolved.nat,
        resolved.portPreserving,
        resolved.tcpSymmetric,
        !!resolved.homeRouter,
        resolved.portPool,
      ),
    );
    if (resolved.homeRouter) await wireHomeRouter(namespaces, resolved.ipv6 || undefined);
    if (resolved.ipv6) await wireIpv6(namespaces, resolved.ipv6.firewall);
    await waitForLinks(namespaces);
    await lab.startHomeRouter();
    if (dropsAnything(resolved.loss)) await lab.setLoss(resolved.loss);
    await lab.startStunServer();
  } catch (error) {
    await lab.teardown();
    throw error;
  }
  return lab;
}
