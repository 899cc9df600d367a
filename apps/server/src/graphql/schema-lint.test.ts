import { buildSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "./schema.js";
import { findClosedSetStrings, listedValues } from "./testing/schema-lint.js";

describe("schema lint: no String whose description lists its values", () => {
  it("finds none in the daemon's schema (make such a field an enum)", () => {
    expect(findClosedSetStrings(schema)).toEqual([]);
  });

  it("names each String field, argument and input field of a small schema that lists its values", () => {
    const bad = buildSchema(`
      enum Mode { USERSPACE NFTABLES }
      type Plugin {
        "INACTIVE, ACTIVE or FAILED"
        state: String
        "CREDENTIALS_REFUSED or OTHER"
        errorKinds: [String!]!
        "INACTIVE, ACTIVE or FAILED"
        stateAsEnum: Mode
        "Its Web UI or RPC URL, e.g. http://127.0.0.1:8080"
        url: String
        "The name of one of the config file's commands"
        commandName: String
      }
      input TunnelInput {
        "\\"userspace\\" (default) or \\"nftables\\" (root)"
        forward: String
        "Where peers go, \\"host:port\\" on loopback or the LAN"
        target: String!
      }
      type Query {
        plugin(
          "qbittorrent, transmission, deluge or aria2"
          kind: String
          "one of \`tcp\`, \`udp\`"
          protocol: String
        ): Plugin
        save(input: TunnelInput): Boolean
      }
    `);
    expect(findClosedSetStrings(bad)).toEqual([
      { where: "Plugin.state", listed: "INACTIVE, ACTIVE or FAILED" },
      { where: "Plugin.errorKinds", listed: "CREDENTIALS_REFUSED or OTHER" },
      { where: "TunnelInput.forward", listed: '"userspace" (default) or "nftables"' },
      { where: "Query.plugin(kind)", listed: "qbittorrent, transmission, deluge or aria2" },
      { where: "Query.plugin(protocol)", listed: "one of `tcp`" },
    ]);
  });

  it("tells a list of values from prose that only mentions a few words", () => {
    expect(listedValues("Either userspace or nftables")).toBe("Either userspace or nftables");
    expect(listedValues("`api`, `file`")).toBe("`api`, `file`");
    expect(listedValues("IDLE | PUSHING | FAILED")).toBe("IDLE | PUSHING | FAILED");
    expect(listedValues("The router: its UPnP description URL, or its address for PCP and NAT-PMP")).toBe(
      undefined,
    );
    expect(listedValues("Where its Web UI / RPC answered")).toBe(undefined);
    expect(listedValues("Keys that changed (api.listen, dataDir…)")).toBe(undefined);
    expect(listedValues(undefined)).toBe(undefined);
  });
});
