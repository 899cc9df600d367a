import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { createBindingRequest, getMappedAddress, getOtherAddress, getResponseOrigin } from "./accessors.js";
import { decodeMessage } from "./decode.js";
import { encodeMessage } from "./encode.js";
import type { StunMessage } from "./types.js";

// The `stun` package is an independent implementation: agreeing with it is evidence of wire correctness.
const require = createRequire(import.meta.url);
interface ThirdPartyMessage {
  addAttribute(type: number, ...args: unknown[]): void;
  addFingerprint(): void;
  getAttribute(type: number): { value: unknown } | undefined;
}
const thirdParty = require("stun") as {
  createMessage(type: number, tid?: Buffer): ThirdPartyMessage;
  encode(m: ThirdPartyMessage): Buffer;
  decode(b: Buffer): ThirdPartyMessage;
  validateFingerprint(m: ThirdPartyMessage): boolean;
  constants: Record<string, number>;
};
const C = thirdParty.constants;

function decodeOk(bytes: Uint8Array): StunMessage {
  const result = decodeMessage(bytes);
  if (!result.ok) throw new Error(result.error);
  return result.message;
}

describe("STUN codec", () => {
  it("round-trips a Binding success response with every address attribute, IPv4 and IPv6", () => {
    const message: StunMessage = {
      method: 1,
      class: "success",
      transactionId: createBindingRequest().transactionId,
      attributes: [
        { type: "XOR-MAPPED-ADDRESS", value: { family: "IPv6", address: "2001:db8::1", port: 40000 } },
        { type: "MAPPED-ADDRESS", value: { family: "IPv4", address: "192.0.2.7", port: 1 } },
        { type: "OTHER-ADDRESS", value: { family: "IPv4", address: "198.51.100.2", port: 3479 } },
        { type: "CHANGED-ADDRESS", value: { family: "IPv4", address: "198.51.100.2", port: 3479 } },
        { type: "RESPONSE-ORIGIN", value: { family: "IPv6", address: "::ffff:0:1", port: 3478 } },
        { type: "SOURCE-ADDRESS", value: { family: "IPv4", address: "203.0.113.9", port: 65535 } },
        { type: "SOFTWARE", value: "autostun ✓" },
      ],
    };
    const decoded = decodeOk(encodeMessage(message, { fingerprint: true }));
    expect(decoded.class).toBe("success");
    expect(decoded.method).toBe(1);
    expect(decoded.attributes.slice(0, -1)).toEqual(message.attributes);
    expect(decoded.attributes.at(-1)?.type).toBe("FINGERPRINT");
    expect(getMappedAddress(decoded)?.address).toBe("2001:db8::1");
    expect(getOtherAddress(decoded)?.port).toBe(3479);
    expect(getResponseOrigin(decoded)?.port).toBe(3478);
  });

  it("round-trips error responses and CHANGE-REQUEST flags", () => {
    const message: StunMessage = {
      method: 1,
      class: "error",
      transactionId: new Uint8Array(12).fill(7),
      attributes: [
        { type: "ERROR-CODE", code: 420, reason: "Unknown Attribute" },
        { type: "UNKNOWN-ATTRIBUTES", types: [0x0003, 0x7fff] },
        { type: "CHANGE-REQUEST", changeIp: true, changePort: false },
      ],
    };
    expect(decodeOk(encodeMessage(message)).attributes).toEqual(message.attributes);
  });

  it("falls back to MAPPED-ADDRESS when a server sends no XOR-MAPPED-ADDRESS", () => {
    const decoded = decodeOk(
      encodeMessage({
        method: 1,
        class: "success",
        transactionId: new Uint8Array(12),
        attributes: [{ type: "MAPPED-ADDRESS", value: { family: "IPv4", address: "10.1.2.3", port: 999 } }],
      }),
    );
    expect(getMappedAddress(decoded)).toEqual({ family: "IPv4", address: "10.1.2.3", port: 999 });
  });

  it("agrees with the stun package in both directions, fingerprint included", () => {
    const ours = createBindingRequest([{ type: "SOFTWARE", value: "ours" }]);
    const theirsDecoded = thirdParty.decode(encodeMessage(ours, { fingerprint: true }));
    expect(thirdParty.validateFingerprint(theirsDecoded)).toBe(true);
    expect(String(theirsDecoded.getAttribute(C.STUN_ATTR_SOFTWARE!)?.value)).toBe("ours");

    const tid = Buffer.from(ours.transactionId);
    const theirs = thirdParty.createMessage(C.STUN_BINDING_RESPONSE!, tid);
    theirs.addAttribute(C.STUN_ATTR_XOR_MAPPED_ADDRESS!, "2001:db8::42", 51413);
    theirs.addAttribute(C.STUN_ATTR_OTHER_ADDRESS!, "192.0.2.200", 3479);
    theirs.addFingerprint();
    const decoded = decodeOk(thirdParty.encode(theirs));
    expect(getMappedAddress(decoded)).toEqual({ family: "IPv6", address: "2001:db8::42", port: 51413 });
    expect(getOtherAddress(decoded)).toEqual({ family: "IPv4", address: "192.0.2.200", port: 3479 });
    expect(Buffer.from(decoded.transactionId).equals(tid)).toBe(true);
  });

  it("names what is wrong and where", () => {
    const good = encodeMessage(createBindingRequest([{ type: "SOFTWARE", value: "x" }]), {
      fingerprint: true,
    });
    expect(decodeMessage(good.subarray(0, 10))).toMatchObject({ ok: false, offset: 0 });

    const lying = Buffer.from(good);
    lying.writeUInt16BE(400, 2);
    const r1 = decodeMessage(lying);
    expect(r1).toMatchObject({ ok: false, offset: 2 });
    expect(!r1.ok && r1.error).toMatch(/runs past the end/);

    const badFp = Buffer.from(good);
    badFp[badFp.length - 1] = badFp[badFp.length - 1]! ^ 1;
    const r2 = decodeMessage(badFp);
    expect(!r2.ok && r2.error).toMatch(/FINGERPRINT mismatch at byte/);

    const badAttrLen = Buffer.from(good);
    badAttrLen.writeUInt16BE(200, 22); // SOFTWARE claims 200 bytes
    expect(decodeMessage(badAttrLen)).toMatchObject({ ok: false, offset: 22 });

    const family = encodeMessage({
      method: 1,
      class: "success",
      transactionId: new Uint8Array(12),
      attributes: [{ type: "MAPPED-ADDRESS", value: { family: "IPv4", address: "1.2.3.4", port: 5 } }],
    });
    family[25] = 0x03;
    const r3 = decodeMessage(family);
    expect(r3).toMatchObject({ ok: false, offset: 25 });
    expect(!r3.ok && r3.error).toMatch(/unknown address family 0x03/);

    const http = Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(decodeMessage(http)).toMatchObject({ ok: false });
  });
});
