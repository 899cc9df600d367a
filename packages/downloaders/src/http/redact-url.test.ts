import { describe, expect, it } from "vitest";
import { isSecretParam, redactUrl, redactUrlsIn } from "./redact-url.js";

describe("redactUrl", () => {
  it("replaces the value of every secret-looking query parameter and keeps the others", () => {
    expect(
      redactUrl("http://h:8080/x?key=S&apikey=S&token=S&secret=S&password=S&access_token=S&page=2&sort=name"),
    ).toBe(
      "http://h:8080/x?key=REDACTED&apikey=REDACTED&token=REDACTED&secret=REDACTED&password=REDACTED&access_token=REDACTED&page=2&sort=name",
    );
  });

  it("replaces a user and password written into the URL", () => {
    expect(redactUrl("http://admin:hunter2@127.0.0.1:8080/rpc")).toBe(
      "http://REDACTED:REDACTED@127.0.0.1:8080/rpc",
    );
  });

  it("judges a parameter by its decoded name, whatever its case", () => {
    expect(redactUrl("http://h/?API%5FKEY=S&X-Auth=S")).toBe("http://h/?API%5FKEY=REDACTED&X-Auth=REDACTED");
  });

  it("returns a URL with nothing secret, or text that is no URL, exactly as given", () => {
    expect(redactUrl("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(redactUrl("http://h/x?page=2&flag")).toBe("http://h/x?page=2&flag");
    expect(redactUrl("not a url")).toBe("not a url");
  });

  it("knows the usual names of secrets and leaves ordinary ones alone", () => {
    for (const name of [
      "key",
      "apiKey",
      "api_key",
      "token",
      "secret",
      "password",
      "passwd",
      "pwd",
      "sig",
      "auth",
    ])
      expect(isSecretParam(name), name).toBe(true);
    for (const name of ["page", "id", "limit", "format", "port"])
      expect(isSecretParam(name), name).toBe(false);
  });
});

describe("redactUrlsIn", () => {
  it("redacts URLs inside an error message and keeps the sentence around them", () => {
    expect(
      redactUrlsIn("fetch to http://h:1/x?token=S&a=1, failed: ECONNREFUSED. Retry http://u:p@h/."),
    ).toBe(
      "fetch to http://h:1/x?token=REDACTED&a=1, failed: ECONNREFUSED. Retry http://REDACTED:REDACTED@h/.",
    );
  });

  it("leaves text without a URL alone", () => {
    expect(redactUrlsIn("the hook exited with code 3")).toBe("the hook exited with code 3");
  });
});
