import { fileURLToPath } from "node:url";
import { createLab, type Lab, type LabStunServer, type NatType } from "@autostun/netlab";
import { describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../../bin/autostun.mjs", import.meta.url));
const EIM = "ENDPOINT_INDEPENDENT";

/** What the nat.type check must report behind each lab router (the kernel's NAT, not a mock). */
const EXPECTED: Record<
  NatType,
  { natType: string; udp?: { mapping: string; filtering: string }; tcp?: { mapping: string } }
> = {
  NAT1: { natType: "NAT1", udp: { mapping: EIM, filtering: EIM }, tcp: { mapping: EIM } },
  NAT2: { natType: "NAT2", udp: { mapping: EIM, filtering: "ADDRESS_DEPENDENT" }, tcp: { mapping: EIM } },
  NAT3: {
    natType: "NAT3",
    udp: { mapping: EIM, filtering: "ADDRESS_AND_PORT_DEPENDENT" },
    tcp: { mapping: EIM },
  },
  NAT4: { natType: "NAT4" },
  OPEN: { natType: "OPEN", udp: { mapping: EIM, filtering: EIM }, tcp: { mapping: EIM } },
  UDP_BLOCKED: { natType: "UDP_BLOCKED", tcp: { mapping: EIM } },
};

async function doctorInLan(lab: Lab) {
  const config = await lab.writeConfig();
  const result = await lab.exec(
    lab.namespaces.lan,
    process.execPath,
    [BIN, "doctor", "--json", "--check", "nat.type", "--config", config],
    {
      timeoutMs: 60_000,
    },
  );
  const report = JSON.parse(result.stdout) as {
    checks: { id: string; status: string; facts: Record<string, unknown> }[];
  };
  return { code: result.code, check: report.checks[0] };
}

for (const stun of ["ours", "coturn"] as LabStunServer[]) {
  describe.concurrent(`autostun doctor --check nat.type inside the lab, against ${stun === "ours" ? "our server" : "coturn"}`, () => {
    for (const nat of Object.keys(EXPECTED) as NatType[]) {
      it(`reports ${nat}`, async () => {
        const lab = await createLab({ nat, stun });
        try {
          const { code, check } = await doctorInLan(lab);
          const expected = EXPECTED[nat];
          if (!check) throw new Error("doctor printed no nat.type result");
          expect(check.id).toBe("nat.type");
          expect(check.facts).toMatchObject(expected);
          if (nat === "NAT4") expect((check.facts.udp as { mapping: string }).mapping).not.toBe(EIM);
          if (nat !== "OPEN") expect(check.facts.publicIp).toBe(lab.publicIp);
          // Only NAT1 with endpoint-independent TCP passes; OPEN warns; the rest fail with guidance.
          expect(check.status).toBe(nat === "NAT1" ? "PASS" : nat === "OPEN" ? "WARN" : "FAIL");
          expect(code).toBe(nat === "NAT1" || nat === "OPEN" ? 0 : 1);
        } finally {
          await lab.teardown();
        }
      }, 90_000);
    }
  });
}

describe("a router that is NAT1 for UDP but symmetric for TCP", () => {
  it("fails nat.type: BitTorrent peers come over TCP", async () => {
    const lab = await createLab({ nat: "NAT1", stun: "ours", tcpSymmetric: true });
    try {
      const { code, check } = await doctorInLan(lab);
      if (!check) throw new Error("doctor printed no nat.type result");
      expect(check.facts).toMatchObject({ natType: "NAT1", udp: EXPECTED.NAT1.udp });
      expect((check.facts.tcp as { mapping: string }).mapping).not.toBe(EIM);
      expect(check.status).toBe("FAIL");
      expect(code).toBe(1);
    } finally {
      await lab.teardown();
    }
  }, 90_000);
});

describe("network.public-ip in the lab, from the same discovery as nat.type", () => {
  for (const [nat, status, summary] of [
    ["NAT1", "PASS", /^Behind NAT: this host is 192\.168\.77\.2 \(private\), the internet sees /],
    ["OPEN", "WARN", /^This host has the public IPv4 address /],
  ] as const) {
    it(`says ${status} behind ${nat}`, async () => {
      const lab = await createLab({ nat, stun: "ours" });
      try {
        const config = await lab.writeConfig();
        const result = await lab.exec(
          lab.namespaces.lan,
          process.execPath,
          [
            BIN,
            "doctor",
            "--json",
            "--check",
            "network.public-ip",
            "--check",
            "nat.type",
            "--config",
            config,
          ],
          { timeoutMs: 60_000 },
        );
        const checks = JSON.parse(result.stdout).checks as { id: string; status: string; summary: string }[];
        const ip = checks.find((c) => c.id === "network.public-ip");
        expect(ip?.status).toBe(status);
        expect(ip?.summary).toMatch(summary);
      } finally {
        await lab.teardown();
      }
    }, 90_000);
  }
});

describe("a remapping NAT1 router (snat to a port range)", () => {
  it("is still NAT1 over UDP and TCP", async () => {
    const lab = await createLab({ nat: "NAT1", stun: "ours", portPreserving: false });
    try {
      const { check } = await doctorInLan(lab);
      expect(check?.facts).toMatchObject(EXPECTED.NAT1);
      expect(check?.status).toBe("PASS");
    } finally {
      await lab.teardown();
    }
  }, 90_000);
});
