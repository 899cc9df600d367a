import { describe, expect, it } from "vitest";
import { adoptFragmentToken, type FragmentTokenEnvironment } from "./fragmentToken.js";

function browser(hash: string) {
  const kept: string[] = [];
  const addresses: string[] = [];
  const environment: FragmentTokenEnvironment = {
    location: { hash, pathname: "/", search: "" },
    history: { replaceState: (_data, _unused, url) => addresses.push(url) },
    remember: (token) => kept.push(token),
  };
  return { environment, kept, addresses };
}

describe("a token in the console URL's fragment", () => {
  it("is kept like a typed token and removed from the address bar", () => {
    const page = browser("#token=abc_DEF-123");
    expect(adoptFragmentToken(page.environment)).toBe("abc_DEF-123");
    expect(page.kept).toEqual(["abc_DEF-123"]);
    expect(page.addresses).toEqual(["/"]);
  });

  it("leaves the console's own routes alone", () => {
    const page = browser("#/checks");
    expect(adoptFragmentToken(page.environment)).toBeNull();
    expect(page.kept).toEqual([]);
    expect(page.addresses).toEqual([]);
  });

  it("is removed but not kept when empty", () => {
    const page = browser("#token=");
    expect(adoptFragmentToken(page.environment)).toBeNull();
    expect(page.kept).toEqual([]);
    expect(page.addresses).toEqual(["/"]);
  });
});
