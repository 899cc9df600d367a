import { request } from "node:http";
import { PortMappingError } from "../errors.js";
import {
  ROUTER_BODY_LIMIT_BYTES,
  ROUTER_REQUEST_TIMEOUT_MS,
  type RouterAnswer,
  type RouterHttpLimits,
} from "../router-http.js";

/** A request to a router, as `fetchRouterText` takes it: method, headers and a text body. */
export interface RouterRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * One HTTP request to a router sent from `localAddress`, answer read in full within the same bounds as
 * `fetchRouterText` (size and time). Needed for IPv6 pinholes: miniupnpd grants a pinhole only to the
 * address the request came from, and the built-in fetch cannot choose its source address.
 */
export function requestRouterTextFrom(
  localAddress: string,
  url: string,
  init: RouterRequest,
  limits: RouterHttpLimits = {},
): Promise<RouterAnswer> {
  const limitBytes = limits.limitBytes ?? ROUTER_BODY_LIMIT_BYTES;
  const timeoutMs = limits.timeoutMs ?? ROUTER_REQUEST_TIMEOUT_MS;
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (outcome: RouterAnswer | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      limits.signal?.removeEventListener("abort", onAbort);
      if (outcome instanceof Error) {
        req.destroy();
        reject(outcome);
      } else resolve(outcome);
    };
    const body = init.body === undefined ? undefined : Buffer.from(init.body, "utf8");
    const req = request({
      protocol: target.protocol,
      // URL keeps the brackets of an IPv6 literal; the socket wants the bare address.
      hostname: target.hostname.replace(/^\[|\]$/g, ""),
      port: target.port || 80,
      path: `${target.pathname}${target.search}`,
      method: init.method ?? "GET",
      localAddress,
      headers: {
        ...init.headers,
        host: target.host,
        ...(body ? { "content-length": String(body.length) } : {}),
      },
    });
    const timer = setTimeout(
      () =>
        finish(
          new PortMappingError(
            `${url} did not give a whole answer within ${timeoutMs / 1000} s; a router answers at once, so it was given up`,
          ),
        ),
      timeoutMs,
    );
    const onAbort = () => finish(new PortMappingError(`the request to ${url} was cancelled`));
    limits.signal?.addEventListener("abort", onAbort, { once: true });
    if (limits.signal?.aborted) return onAbort();
    req.on("error", (error) =>
      finish(new PortMappingError(`${url} could not be reached from ${localAddress}: ${error.message}`)),
    );
    req.on("response", (response) => {
      const chunks: Buffer[] = [];
      let total = 0;
      const tooBig = () =>
        new PortMappingError(
          `the answer from ${url} is larger than ${limitBytes} bytes, far more than a device description or SOAP answer holds; it was not read further`,
        );
      if (Number(response.headers["content-length"]) > limitBytes) return finish(tooBig());
      response.on("data", (chunk: Buffer) => {
        total += chunk.length;
        if (total > limitBytes) finish(tooBig());
        else chunks.push(chunk);
      });
      response.on("error", (error) =>
        finish(new PortMappingError(`the answer from ${url} broke off: ${error.message}`)),
      );
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        finish({
          ok: status >= 200 && status < 300,
          status,
          statusText: response.statusMessage ?? "",
          text: Buffer.concat(chunks).toString("utf8"),
        });
      });
    });
    req.end(body);
  });
}
