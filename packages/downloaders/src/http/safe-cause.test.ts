import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { safeCause } from "./safe-cause.js";

/** Built the way ofetch builds its FetchError: the request behind getters, the network's error as cause. */
function libraryError(): Error {
  const socket = Object.assign(new Error("other side closed"), {
    code: "UND_ERR_SOCKET",
    name: "SocketError",
  });
  const fetchFailed = new TypeError("fetch failed", { cause: socket });
  const error = new Error('[GET] "http://127.0.0.1:8080/api/v2/app/preferences": <no response>', {
    cause: fetchFailed,
  });
  error.name = "FetchError";
  const request = { headers: { cookie: "SID=secret-session", authorization: "Bearer secret-key" } };
  Object.defineProperty(error, "options", { get: () => request });
  Object.defineProperty(error, "request", { get: () => "http://127.0.0.1:8080/api/v2/app/preferences" });
  return error;
}

describe("safeCause", () => {
  it("leaves out the link that holds the request and keeps the network's code under it", () => {
    const copy = safeCause(libraryError());
    const everything = inspect(copy, { depth: 10, showHidden: true, getters: true });
    expect(everything).not.toContain("secret");
    expect(copy).toMatchObject({ name: "TypeError", message: "fetch failed" });
    expect(copy?.cause).toMatchObject({ name: "SocketError", code: "UND_ERR_SOCKET" });
  });

  it("keeps an HTTP status and a plain message, and nothing else the error carried", () => {
    const answer = Object.assign(new Error("Not authenticated"), { status: 401, code: 1, payload: "pw" });
    const copy = safeCause(answer);
    expect(copy).toMatchObject({ message: "Not authenticated", status: 401, code: 1 });
    expect(Object.keys(copy ?? {})).not.toContain("payload");
  });
});
