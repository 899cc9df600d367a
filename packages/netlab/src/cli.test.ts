import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { listNamespaces } from "./lab/namespaces.js";
import type { LabNamespaces } from "./lab/types.js";

const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));

function startCli(args: string[]) {
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), CLI, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  return { child, out: () => stdout, err: () => stderr };
}

describe.concurrent("npm run lab", () => {
  test("brings a lab up, writes a config for it, and tears it down on Ctrl-C", async () => {
    const cli = startCli(["--nat", "NAT1", "--stun", "coturn", "--json"]);
    await new Promise<void>((resolve, reject) => {
      cli.child.stdout.on("data", () => cli.out().includes("\n") && resolve());
      cli.child.once("exit", (code) => reject(new Error(`lab CLI exited ${code}: ${cli.err()}`)));
    });
    const info = JSON.parse(cli.out()) as {
      namespaces: LabNamespaces;
      configPath: string;
      stunServers: { udp: string[]; tcp: string[] };
    };
    const present = new Set(await listNamespaces());
    expect(Object.values(info.namespaces).every((n) => present.has(n))).toBe(true);
    const config = await readFile(info.configPath, "utf8");
    expect(config).toContain(info.stunServers.udp[0]);
    expect(info.stunServers.udp).toEqual(["88.77.66.10:3478", "88.77.66.11:3478"]);

    cli.child.kill("SIGINT");
    const [code] = await once(cli.child, "exit");
    expect(code).toBe(0);
    const after = new Set(await listNamespaces());
    expect(Object.values(info.namespaces).filter((n) => after.has(n))).toEqual([]);
  });

  test("--home-router brings up the two-level lab with its four namespaces and tears all of them down", async () => {
    const cli = startCli(["--nat", "NAT1", "--stun", "none", "--home-router", "allow", "--json"]);
    await new Promise<void>((resolve, reject) => {
      cli.child.stdout.on("data", () => cli.out().includes("\n") && resolve());
      cli.child.once("exit", (code) => reject(new Error(`lab CLI exited ${code}: ${cli.err()}`)));
    });
    const info = JSON.parse(cli.out()) as {
      namespaces: LabNamespaces;
      lanIp: string;
      homeRouter: { wanIp: string; descriptionUrl: string };
    };
    expect(Object.keys(info.namespaces).sort()).toEqual(["home", "lan", "router", "wan"]);
    expect(info.lanIp).toBe("192.168.88.2");
    expect(info.homeRouter).toMatchObject({
      wanIp: "88.77.67.2",
      descriptionUrl: "http://192.168.88.1:5000/rootDesc.xml",
    });

    cli.child.kill("SIGINT");
    const [code] = await once(cli.child, "exit");
    expect(code).toBe(0);
    const after = new Set(await listNamespaces());
    expect(Object.values(info.namespaces).filter((n) => after.has(n))).toEqual([]);
  });

  test("refuses --home-router with anything but allow or deny, exit code 2", async () => {
    const cli = startCli(["--nat", "NAT1", "--home-router", "maybe"]);
    const [code] = await once(cli.child, "exit");
    expect(code).toBe(2);
    expect(cli.err()).toMatch(/options\.homeRouter must be false or \{ upnp: "allow" \| "deny" \}/);
  });

  test("--ipv6 firewall prints the lab's IPv6 addresses and its firewall state", async () => {
    const cli = startCli(["--nat", "NAT3", "--stun", "none", "--ipv6", "firewall", "--json"]);
    await new Promise<void>((resolve, reject) => {
      cli.child.stdout.on("data", () => cli.out().includes("\n") && resolve());
      cli.child.once("exit", (code) => reject(new Error(`lab CLI exited ${code}: ${cli.err()}`)));
    });
    const info = JSON.parse(cli.out()) as {
      namespaces: LabNamespaces;
      ipv6: { lanIp: string; firewall: boolean };
    };
    expect(info.ipv6).toMatchObject({ lanIp: "2a0b:8877:77::2", firewall: true });
    cli.child.kill("SIGINT");
    const [code] = await once(cli.child, "exit");
    expect(code).toBe(0);
    const after = new Set(await listNamespaces());
    expect(Object.values(info.namespaces).filter((n) => after.has(n))).toEqual([]);
  });

  test("refuses --ipv6 with anything but firewall or open, exit code 2", async () => {
    const cli = startCli(["--nat", "NAT1", "--ipv6", "maybe"]);
    const [code] = await once(cli.child, "exit");
    expect(code).toBe(2);
    expect(cli.err()).toMatch(/--ipv6 takes firewall or open; got "maybe"/);
  });

  test("refuses an unknown NAT type with usage and exit code 2", async () => {
    const cli = startCli(["--nat", "NAT9"]);
    const [code] = await once(cli.child, "exit");
    expect(code).toBe(2);
    expect(cli.err()).toMatch(/options\.nat must be one of .*got "NAT9"/);
    expect(cli.err()).toContain("usage: npm run lab");
  });
});
