import { readApiTokenFile } from "@autostun/api-guard";
import type { AutostunConfig } from "@autostun/config";
import { localize, type MessageParams } from "@autostun/plugins-api";
import { splitHostPort } from "../http/server.js";
import { EXIT_OK, EXIT_PROBLEMS } from "./exit-codes.js";
import { terminalLocale } from "./locale.js";
import { statusMessages } from "./status-messages.js";
import { statusText } from "./status-report.js";
import { askDaemon, type StatusFailure } from "./status-request.js";

/** Where the running daemon answers, from the same api.listen it was started with. */
export function apiUrl(listen: string): string {
  const { host, port } = splitHostPort(listen);
  // A daemon listening on every address is reached on loopback from this machine.
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}/graphql`;
}

/** Where the output goes; the CLI's own streams unless a test reads them. */
export interface StatusOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: StatusOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** One line saying which URL was asked and why no status came back, with what to do about it. */
function failureText(url: string, failure: StatusFailure, locale: string): string {
  const say = (key: string, params?: MessageParams) => localize(statusMessages.text(key, params), locale);
  const { kind, ...params } = failure;
  return `${say("failure.head", { url, why: say(`failure.${kind}`, params) })}\n`;
}

/**
 * The token to send: --token, else api.token (file or AUTOSTUN_API_TOKEN), else the daemon's token file
 * in dataDir. A file that exists but cannot be read is a failure of its own (it names the file); a missing
 * one is not, since the daemon may listen elsewhere or not run at all: the request goes without a token
 * and a 401 then says where the token was looked for.
 */
function clientToken(
  config: AutostunConfig,
  flag: string | undefined,
): { token?: string; failure?: StatusFailure; missing?: string } {
  const given = flag ?? config.api.token;
  if (given) return { token: given };
  const read = readApiTokenFile(config.dataDir);
  if (read.ok) return { token: read.token };
  if (read.code === "ENOENT") return { missing: read.file };
  return { failure: { kind: "token-file", file: read.file, code: read.code ?? "unknown" } };
}

/**
 * Asks the running daemon (its GraphQL API, with its token) for tunnels (each with its
 * downloader and UPnP mapping) and checks. Exit 0 when no tunnel is FAILED and no check FAIL or ERROR;
 * 1 otherwise, or when no daemon answers (the message says which URL was asked and why it failed).
 */
export async function runStatus(
  config: AutostunConfig,
  options: { json: boolean; timeoutMs?: number; token?: string },
  output: StatusOutput = processOutput,
): Promise<number> {
  const url = apiUrl(config.api.listen);
  const locale = terminalLocale(config.locale);
  const credentials = clientToken(config, options.token);
  if (credentials.failure) {
    output.err(failureText(url, credentials.failure, locale));
    return EXIT_PROBLEMS;
  }
  const answer = await askDaemon({
    url,
    token: credentials.token,
    locale,
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  if (!answer.ok) {
    output.err(failureText(url, answer.failure, locale));
    if (answer.failure.kind === "token-needed" && credentials.missing)
      output.err(
        `${localize(statusMessages.text("token-file.none", { file: credentials.missing }), locale)}\n`,
      );
    return EXIT_PROBLEMS;
  }
  const { data } = answer;
  if (options.json) output.out(`${JSON.stringify(data, null, 2)}\n`);
  else output.out(statusText(data, locale));
  const bad =
    data.tunnels.some((t) => t.state === "FAILED") ||
    data.checks.some((c) => c.status === "FAIL" || c.status === "ERROR");
  return bad ? EXIT_PROBLEMS : EXIT_OK;
}
