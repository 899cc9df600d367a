import { CombinedError } from "@urql/core";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { isUnauthorizedClose, isUnauthorizedError } from "./auth.js";
import { isFatalClose } from "./closeCodes.js";

describe("isUnauthorizedError", () => {
  it("recognises a 401 answer", () => {
    const response = new Response("{}", { status: 401 });
    const error = new CombinedError({ networkError: new Error("Unauthorized"), response });
    expect(isUnauthorizedError(error)).toBe(true);
  });

  it("recognises an UNAUTHENTICATED GraphQL error", () => {
    const error = new CombinedError({
      graphQLErrors: [new GraphQLError("token required", { extensions: { code: "UNAUTHENTICATED" } })],
    });
    expect(isUnauthorizedError(error)).toBe(true);
  });

  it("does not ask for a token when the daemon is merely unreachable or the query is wrong", () => {
    expect(isUnauthorizedError(new CombinedError({ networkError: new Error("Failed to fetch") }))).toBe(
      false,
    );
    const bad = new CombinedError({ graphQLErrors: [new GraphQLError("Cannot query field")] });
    expect(isUnauthorizedError(bad)).toBe(false);
    expect(isUnauthorizedError(undefined)).toBe(false);
  });
});

describe("WebSocket close events", () => {
  it("treat 4401 and 4403 as a missing or wrong token, and fatal", () => {
    for (const code of [4401, 4403]) {
      expect(isUnauthorizedClose({ code })).toBe(true);
      expect(isFatalClose({ code })).toBe(true);
    }
  });

  it("retry a daemon restart or a dropped network, but not a protocol error", () => {
    expect(isFatalClose({ code: 1006 })).toBe(false);
    expect(isFatalClose({ code: 1001 })).toBe(false);
    expect(isFatalClose({ code: 4400 })).toBe(true);
    expect(isFatalClose(new Error("socket error"))).toBe(false);
  });
});
