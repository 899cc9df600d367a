import type { Lab } from "@autostun/netlab";

/** The LAN service tunnels forward to: an echo server on loopback inside the LAN namespace. */
export const LAB_ECHO = "127.0.0.1:7000";
const KEEPALIVE_PORT = 8_080;

/**
 * A keep-alive HTTP server in WAN that holds connections open, as the tunnels' keep-alive target.
 * Resolves with that target once it listens.
 */
export async function startKeepalive(lab: Lab): Promise<string> {
  const ip = lab.wanServerIps.primary;
  const script = `const s=require("node:http").createServer((q,r)=>r.end());s.keepAliveTimeout=0;s.listen(${KEEPALIVE_PORT},"${ip}")`;
  lab.spawn("wan", process.execPath, ["-e", script]).stdout?.resume();
  await lab.waitForListening("wan", { tcp: [`${ip}:${KEEPALIVE_PORT}`] });
  return `${ip}:${KEEPALIVE_PORT}`;
}

/**
 * What a tunnel in the lab needs besides the STUN server: the keep-alive server in WAN and the echo
 * service in the LAN. Resolves with the keep-alive target once both listen.
 */
export async function startLabServices(lab: Lab): Promise<string> {
  lab.spawn("lan", "socat", [`TCP4-LISTEN:7000,bind=127.0.0.1,reuseaddr,fork`, "EXEC:cat"]);
  const keepalive = await startKeepalive(lab);
  await lab.waitForListening("lan", { tcp: [LAB_ECHO] });
  return keepalive;
}

/**
 * The config of a daemon serving in the lab: API on the LAN's loopback, checks and plugins off (each
 * test asks for what it covers), the keep-alive to `keepalive`; `extra` adds the tunnels and the rest.
 */
export function labConfig(
  keepalive: string,
  extra: Record<string, unknown>,
  keepaliveSeconds = 10,
): Record<string, unknown> {
  return {
    api: { listen: "127.0.0.1:7878" },
    keepalive: { target: keepalive, intervalSeconds: keepaliveSeconds },
    checks: { runOnStart: false, intervalSeconds: 0 },
    plugins: { dirs: [] },
    ...extra,
  };
}

/** `GET /metrics` from inside the LAN namespace, where the daemon's loopback API is; the body as text. */
export async function scrapeInLan(lab: Lab, apiUrl: string, token?: string): Promise<string> {
  const headers = token ? `{authorization:"Bearer ${token}"}` : "{}";
  const script = `fetch(${JSON.stringify(new URL("metrics", apiUrl).href)},{headers:${headers}}).then(async r=>{process.stdout.write(await r.text());process.exitCode=r.ok?0:1},e=>{console.error(String(e));process.exitCode=2})`;
  const result = await lab.exec("lan", process.execPath, ["-e", script]);
  if (result.code !== 0)
    throw new Error(`scraping /metrics failed (${result.code}): ${result.stdout}${result.stderr}`);
  return result.stdout;
}
