import { describe, expect, it, vi } from "vitest";

// Timing cannot be asserted reliably, so the test watches what reaches the constant-time compare instead:
// a check that bails out early on a length mismatch tells a guesser the token's length.
const compared = vi.hoisted(() => [] as [number, number][]);
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>();
  return {
    ...actual,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compared.push([a.byteLength, b.byteLength]);
      return actual.timingSafeEqual(a, b);
    },
  };
});

const { bearerMatches } = await import("@autostun/api-guard");

describe("token comparison", () => {
  it("compares equal-length digests whatever the length of the guess", () => {
    const token = "the-configured-token-0123456789";
    for (const guess of ["x", "the-configured-token-012345678", `${token}-and-more`]) {
      compared.length = 0;
      expect(bearerMatches(`Bearer ${guess}`, token)).toBe(false);
      expect(compared).toEqual([[32, 32]]);
    }
    compared.length = 0;
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
    expect(compared).toEqual([[32, 32]]);
  });

  it("refuses a missing or malformed Authorization value", () => {
    expect(bearerMatches(undefined, "t0ken")).toBe(false);
    expect(bearerMatches("Basic dDBrZW4=", "t0ken")).toBe(false);
    expect(bearerMatches("Bearer ", "t0ken")).toBe(false);
  });
});
