import { describe, expect, it } from "vitest";
import { filterByProtocol, parseProtocolFilter } from "./protocolFilter.js";

const rows = [
  { id: "a", protocol: "TCP" as const },
  { id: "b", protocol: "UDP" as const },
  { id: "c", protocol: "TCP" as const },
];

describe("filterByProtocol", () => {
  it("lists every connection, only TCP connections, or only UDP sessions", () => {
    expect(filterByProtocol(rows, "ALL").map((r) => r.id)).toEqual(["a", "b", "c"]);
    expect(filterByProtocol(rows, "TCP").map((r) => r.id)).toEqual(["a", "c"]);
    expect(filterByProtocol(rows, "UDP").map((r) => r.id)).toEqual(["b"]);
  });

  it("reads an unknown select value as no filter, so the table never goes blank by mistake", () => {
    expect(parseProtocolFilter("UDP")).toBe("UDP");
    expect(parseProtocolFilter("SCTP")).toBe("ALL");
  });
});
