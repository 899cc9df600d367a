import { describe, expect, test, vi } from "vitest";

// networkInterfaces() throws on a system error (uv_interface_addresses failing); the search's error
// message asks it for the interface name only after the socket has failed.
vi.mock("node:os", async (importOriginal) => ({
  ...(await importOriginal<typeof import("node:os")>()),
  networkInterfaces: () => {
    throw new Error("uv_interface_addresses returned Unknown system error 1");
  },
}));

const { SsdpSearchError, searchGateway } = await import("./ssdp-search.js");

describe("an SSDP search that fails where the interfaces cannot be listed", () => {
  test("still rejects with the socket's error, naming the address without an interface", async () => {
    // 192.0.2.0/24 is for documentation: binding to it fails before anything is sent.
    const error = await searchGateway({ localAddress: "192.0.2.77", timeoutMs: 1_000 }).catch((e) => e);
    expect(error).toBeInstanceOf(SsdpSearchError);
    expect((error as Error).message).toMatch(/could not be made from 192\.0\.2\.77: bind EADDRNOTAVAIL/);
  });
});
