import { type NftRuleset, parseRuleset } from "@autostun/netfilter";
import type { CommandRunner, SystemFiles } from "@autostun/plugins-api";
import { hasFilterContent, type IptablesTable, parseIptablesSave } from "./iptables.js";

/** One source of firewall state and whether it could be read. */
export interface SourceReading {
  source: string;
  /** `ok`, `absent` (tool not installed), or the failure (`denied: Operation not permitted`, …). */
  status: string;
}

/** Everything read about the Linux host's inbound filtering. */
export interface LinuxFirewallState {
  /** 6 when `iptablesLegacy` and `iptablesNft` hold ip6tables' dumps; absent for iptables (IPv4). */
  family?: 6;
  sources: SourceReading[];
  nft?: NftRuleset;
  iptablesLegacy?: IptablesTable;
  iptablesNft?: IptablesTable;
  ufw?: { active: boolean; defaultIncoming?: string; autostunRules: number[] };
  firewalld?: { running: boolean; defaultZone?: string; activeZones: string[] };
  dsm?: { version?: string; firewallSettings?: unknown };
}

async function runText(runner: CommandRunner, signal: AbortSignal, file: string, args: string[]) {
  const result = await runner.run(file, args, { signal, timeoutMs: 5_000 });
  const line = [file, ...args].join(" ");
  if (result.error === "ENOENT") return { line, status: "absent", text: undefined };
  if (result.error || result.exitCode !== 0) {
    const why = (result.stderr.trim().split("\n")[0] ?? "").slice(0, 200);
    return {
      line,
      status: `failed: ${result.error ?? `exit ${result.exitCode}`}${why ? ` (${why})` : ""}`,
      text: undefined,
    };
  }
  return { line, status: "ok", text: result.stdout };
}

/**
 * Reads nftables, both iptables backends, ufw, firewalld and Synology DSM's settings. Each source is
 * recorded with whether it could be read, so a verdict can say what it did not see.
 */
export async function readLinuxFirewall(
  runner: CommandRunner,
  files: SystemFiles,
  signal: AbortSignal,
  options: { ipv6?: boolean } = {},
): Promise<LinuxFirewallState> {
  const state: LinuxFirewallState = options.ipv6 ? { family: 6, sources: [] } : { sources: [] };
  // ip6tables keeps its own tables beside iptables': the IPv6 reading dumps those instead.
  const tool = options.ipv6 ? "ip6tables" : "iptables";
  const note = (source: string, status: string) => state.sources.push({ source, status });

  const nft = await runText(runner, signal, "nft", ["-j", "list", "ruleset"]);
  if (nft.text !== undefined) {
    try {
      state.nft = parseRuleset(nft.text);
      note(nft.line, "ok");
    } catch (error) {
      note(nft.line, `failed: ${(error as Error).message}`);
    }
  } else note(nft.line, nft.status);

  // Old distributions and DSM ship only `iptables-save`; there it is the legacy backend unless it says otherwise.
  let legacy = await runText(runner, signal, `${tool}-legacy-save`, []);
  if (legacy.status === "absent") {
    const plain = await runText(runner, signal, `${tool}-save`, []);
    if (plain.text === undefined || !/iptables-nft|nf_tables/.test(plain.text)) legacy = plain;
    else note(plain.line, `ok (nf_tables backend; read as ${tool}-nft)`);
  }
  note(legacy.line, legacy.status);
  if (legacy.text !== undefined) state.iptablesLegacy = parseIptablesSave(legacy.text).get("filter");

  const viaNft = await runText(runner, signal, `${tool}-nft-save`, []);
  note(viaNft.line, viaNft.status);
  if (viaNft.text !== undefined) state.iptablesNft = parseIptablesSave(viaNft.text).get("filter");

  const ufw = await runText(runner, signal, "ufw", ["status", "verbose"]);
  note(ufw.line, ufw.status);
  if (ufw.text !== undefined) state.ufw = parseUfwStatus(ufw.text);

  const firewalld = await runText(runner, signal, "firewall-cmd", ["--state"]);
  note(
    firewalld.line,
    firewalld.status === "ok" || firewalld.status === "absent" ? firewalld.status : "not running",
  );
  if (firewalld.text !== undefined && firewalld.text.trim() === "running") {
    const zone = await runText(runner, signal, "firewall-cmd", ["--get-default-zone"]);
    const active = await runText(runner, signal, "firewall-cmd", ["--get-active-zones"]);
    state.firewalld = {
      running: true,
      ...(zone.text ? { defaultZone: zone.text.trim() } : {}),
      // `--get-active-zones` prints a zone name, then indented `interfaces:` / `sources:` lines.
      activeZones: (active.text ?? "")
        .split("\n")
        .filter((l) => l.trim() && !/^\s/.test(l))
        .map((l) => l.trim()),
    };
  } else if (firewalld.status !== "absent") state.firewalld = { running: false, activeZones: [] };

  const version = await files.readText("/etc.defaults/VERSION");
  if (version !== undefined || (await files.exists("/usr/syno"))) {
    const settings = await files.readText("/usr/syno/etc/firewall.d/firewall_settings.json");
    let firewallSettings: unknown;
    try {
      firewallSettings = settings ? JSON.parse(settings) : undefined;
    } catch {
      firewallSettings = { unreadable: true };
    }
    const v = version ?? "";
    const major = /^majorversion="?(\d+)/m.exec(v)?.[1];
    const minor = /^minorversion="?(\d+)/m.exec(v)?.[1];
    state.dsm = {
      ...(major ? { version: `${major}.${minor ?? 0}` } : {}),
      ...(firewallSettings === undefined ? {} : { firewallSettings }),
    };
  }
  return state;
}

/** `ufw status verbose`: whether it is active, its default for incoming, and ports we added (`# autostun`). */
export function parseUfwStatus(text: string): LinuxFirewallState["ufw"] {
  const active = /^Status:\s*active/m.test(text);
  const defaultIncoming = /^Default:\s*(\w+)\s*\(incoming\)/m.exec(text)?.[1];
  const autostunRules = [...text.matchAll(/^(\d+)\/tcp\s+ALLOW IN\s+.*#\s*autostun/gm)].map((m) =>
    Number(m[1]),
  );
  return {
    active,
    ...(defaultIncoming ? { defaultIncoming } : {}),
    autostunRules: [...new Set(autostunRules)],
  };
}

/** Whether any iptables dump holds filtering (an all-ACCEPT empty dump is the same as none). */
export function iptablesFilters(table: IptablesTable | undefined): boolean {
  return hasFilterContent(table);
}
