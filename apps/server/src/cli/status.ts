import type { AutostunConfig } from "../config/schema.js";
import { splitHostPort } from "../http/server.js";
import { EXIT_OK, EXIT_PROBLEMS } from "./exit-codes.js";
import { terminalLocale } from "./locale.js";
import { STATUS_QUERY, type StatusData, statusText } from "./status-report.js";

/** Where the running daemon answers, from the same api.listen it was started with. */
export function apiUrl(listen: string): string {
  const { host, port } = splitHostPort(listen);
  // A daemon listening on every address is reached on loopback from this machine.
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}/graphql`;
}

/**
 * Asks the running daemon (its GraphQL API, with the config's token) for tunnels (each with its
 * downloader and UPnP mapping) and checks. Exit 0 when no tunnel is FAILED and no check FAIL or ERROR;
 * 1 otherwise, or when no daemon answers.
 */
export async function runStatus(config: AutostunConfig, options: { json: boolean }): Promise<number> {
  const url = apiUrl(config.api.listen);
  const locale = terminalLocale(config.locale);
  let data: StatusData;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-autostun-locale": locale,
        ...(config.api.token ? { authorization: `Bearer ${config.api.token}` } : {}),
      },
      body: JSON.stringify({ query: STATUS_QUERY }),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 401)
      throw new Error(
        "the daemon refused the API token; use the config file the daemon runs with (api.token)",
      );
    const body = (await response.json()) as { data?: StatusData; errors?: { message: string }[] };
    if (!body.data)
      throw new Error(body.errors?.map((e) => e.message).join("; ") ?? `HTTP ${response.status}`);
    data = body.data;
  } catch (error) {
    const why = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    process.stderr.write(
      `autostun status: no answer from the daemon at ${url} (${why}). Is \`autostun serve\` running with this config (api.listen)?\n`,
    );
    return EXIT_PROBLEMS;
  }
  if (options.json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else process.stdout.write(statusText(data, locale));
  const bad =
    data.tunnels.some((t) => t.state === "FAILED") ||
    data.checks.some((c) => c.status === "FAIL" || c.status === "ERROR");
  return bad ? EXIT_PROBLEMS : EXIT_OK;
}
