import type { IncomingMessage, ServerResponse } from "node:http";
import type { TokenGate } from "@autostun/api-guard";
import type { Registry } from "prom-client";

/**
 * `GET /metrics`: the registry in Prometheus text format. The scraper must send the API token
 * (`authorization: Bearer …`; Prometheus: `authorization: { credentials_file: … }`), through the same gate
 * and the same tarpit for wrong tokens as the GraphQL API.
 */
export async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  registry: Registry,
  gate: TokenGate,
): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res
      .writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" })
      .end("AutoSTUN serves /metrics to GET only.\n");
    return;
  }
  const admission = await gate.admit(req.socket.remoteAddress, req.headers.authorization);
  if (!admission.ok) {
    const headers: Record<string, string> = { "content-type": "text/plain; charset=utf-8" };
    if (admission.reason === "busy") headers["retry-after"] = String(admission.retryAfterSeconds);
    else headers["www-authenticate"] = 'Bearer realm="autostun"';
    res.writeHead(admission.reason === "busy" ? 429 : 401, headers).end(`${gate.message(admission)}\n`);
    return;
  }
  const body = await registry.metrics();
  res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : body);
}
