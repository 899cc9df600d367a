import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import { admissionMessage, type TokenGate } from "../graphql/auth.js";

/**
 * `GET /metrics`: the registry in Prometheus text format. With api.token set the scraper must send it
 * (`authorization: Bearer …`, Prometheus' `authorization` or `bearer_token_file`), through the same gate
 * and the same back-off for wrong guesses as the GraphQL API.
 */
export async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  registry: Registry,
  gate: TokenGate | undefined,
): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res
      .writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" })
      .end("AutoSTUN serves /metrics to GET only.\n");
    return;
  }
  if (gate) {
    const admission = gate.admit(req.socket.remoteAddress, req.headers.authorization);
    if (!admission.ok) {
      const headers: Record<string, string> = { "content-type": "text/plain; charset=utf-8" };
      if (admission.reason === "throttled") headers["retry-after"] = String(admission.retryAfterSeconds);
      else headers["www-authenticate"] = 'Bearer realm="autostun"';
      res
        .writeHead(admission.reason === "throttled" ? 429 : 401, headers)
        .end(`${admissionMessage(admission)}\n`);
      return;
    }
  }
  const body = await registry.metrics();
  res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : body);
}
