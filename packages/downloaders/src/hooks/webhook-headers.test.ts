import { describe, expect, it } from "vitest";
import { reservedSecretHeader } from "./webhook-headers.js";

describe("reservedSecretHeader", () => {
  it("names credentials, Host and every hop-by-hop header, in any case", () => {
    for (const name of [
      "Cookie",
      "AUTHORIZATION",
      "Proxy-Authorization",
      "host",
      "Connection",
      "Keep-Alive",
      "Transfer-Encoding",
      "TE",
      "Trailer",
      "Upgrade",
      "Proxy-Connection",
      "Content-Length",
    ])
      expect(reservedSecretHeader(name), name).toMatch(/\w/);
  });

  it("lets ordinary header names through", () => {
    for (const name of ["X-AutoSTUN-Secret", "X-Api-Key", "X-Hook-Key", "X-Cookie-Jar"])
      expect(reservedSecretHeader(name), name).toBeUndefined();
  });
});
