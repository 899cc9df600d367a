import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMessage } from "./decode.js";
import { encodeMessage } from "./encode.js";
import { normalizeIp } from "./ip.js";
import type { StunAttribute, StunClass, StunMessage, TransportAddress } from "./types.js";

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join("."));
const ipv6 = fc
  .array(fc.nat(0xffff), { minLength: 8, maxLength: 8 })
  .map((h) => h.map((x) => x.toString(16)).join(":"));
const address: fc.Arbitrary<TransportAddress> = fc.oneof(
  fc.record({ family: fc.constant("IPv4" as const), address: ipv4, port: fc.nat(0xffff) }),
  fc.record({ family: fc.constant("IPv6" as const), address: ipv6, port: fc.nat(0xffff) }),
);
const text = fc.string({ maxLength: 40 });
const attribute: fc.Arbitrary<StunAttribute> = fc.oneof(
  fc.record({
    type: fc.constantFrom(
      "XOR-MAPPED-ADDRESS" as const,
      "MAPPED-ADDRESS" as const,
      "OTHER-ADDRESS" as const,
      "CHANGED-ADDRESS" as const,
      "RESPONSE-ORIGIN" as const,
      "SOURCE-ADDRESS" as const,
    ),
    value: address,
  }),
  fc.record({
    type: fc.constant("CHANGE-REQUEST" as const),
    changeIp: fc.boolean(),
    changePort: fc.boolean(),
  }),
  fc.record({ type: fc.constant("SOFTWARE" as const), value: text }),
  fc.record({
    type: fc.constant("ERROR-CODE" as const),
    code: fc.integer({ min: 300, max: 699 }),
    reason: text,
  }),
  fc.record({
    type: fc.constant("RAW" as const),
    code: fc.constantFrom(0x0008, 0x0026, 0x7000, 0xc000, 0xffff),
    value: fc.uint8Array({ maxLength: 24 }),
  }),
);
const message: fc.Arbitrary<StunMessage> = fc.record({
  method: fc.nat(0xfff),
  class: fc.constantFrom<StunClass>("request", "indication", "success", "error"),
  transactionId: fc.uint8Array({ minLength: 12, maxLength: 12 }),
  attributes: fc.array(attribute, { maxLength: 6 }),
});
const valid = fc.tuple(message, fc.boolean()).map(([m, fingerprint]) => ({
  m,
  bytes: new Uint8Array(encodeMessage(m, { fingerprint })),
}));

// Hostile inputs: each keeps the decoder honest about one way a length or a field can lie.
const mutated = fc.oneof(
  // flip bytes anywhere
  fc
    .tuple(valid, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }))
    .map(([v, edits]) => {
      const b = Uint8Array.from(v.bytes);
      for (const [at, val] of edits) b[at % b.length] = val;
      return b;
    }),
  // truncate
  fc.tuple(valid, fc.nat()).map(([v, n]) => v.bytes.subarray(0, n % (v.bytes.length + 1))),
  // append junk
  fc.tuple(valid, fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([v, junk]) => {
    const b = new Uint8Array(v.bytes.length + junk.length);
    b.set(v.bytes);
    b.set(junk, v.bytes.length);
    return b;
  }),
  // lying message length
  fc.tuple(valid, fc.nat(0xffff)).map(([v, len]) => {
    const b = Uint8Array.from(v.bytes);
    b[2] = len >> 8;
    b[3] = len & 0xff;
    return b;
  }),
  // attribute length past the end: overwrite the first attribute's length
  fc.tuple(valid, fc.nat(0xffff)).map(([v, len]) => {
    const b = Uint8Array.from(v.bytes);
    if (b.length >= 24) {
      b[22] = len >> 8;
      b[23] = len & 0xff;
    }
    return b;
  }),
  // bad address family on the first attribute
  fc.tuple(valid, fc.nat(255)).map(([v, fam]) => {
    const b = Uint8Array.from(v.bytes);
    if (b.length >= 26) b[25] = fam;
    return b;
  }),
  // random bytes, with and without a plausible header
  fc.uint8Array({ maxLength: 120 }),
  fc.uint8Array({ minLength: 0, maxLength: 100 }).map((body) => {
    const b = new Uint8Array(20 + body.length);
    b.set([0x00, 0x01, (body.length >> 8) & 0xff, body.length & 0xff, 0x21, 0x12, 0xa4, 0x42]);
    b.set(body, 20);
    return b;
  }),
);

describe("decoder under hostile input", () => {
  it("round-trips every valid message", () => {
    fc.assert(
      fc.property(valid, ({ m, bytes }) => {
        const r = decodeMessage(bytes);
        if (!r.ok) return false;
        const attrs = r.message.attributes.filter((a) => a.type !== "FINGERPRINT");
        const normal = m.attributes.map((a) =>
          "value" in a && typeof a.value === "object" && "address" in a.value
            ? { ...a, value: { ...a.value, address: decodedIp(a.value.address) } }
            : a,
        );
        expect(attrs).toEqual(normal);
        return r.message.method === m.method && r.message.class === m.class;
      }),
      { numRuns: 5_000 },
    );
  });

  it("never throws on 100,000 malformed, truncated and hostile packets and always names an offset", () => {
    let rejected = 0;
    fc.assert(
      fc.property(mutated, (bytes) => {
        const r = decodeMessage(bytes);
        if (!r.ok) {
          rejected++;
          return typeof r.error === "string" && r.error.includes(`at byte ${r.offset}`) && r.offset >= 0;
        }
        return r.message.transactionId.length === 12;
      }),
      { numRuns: 100_000 },
    );
    // Most hostile inputs must be refused, not silently accepted.
    expect(rejected).toBeGreaterThan(50_000);
  });

  it("never accepts a bit-flipped message as carrying a valid FINGERPRINT", () => {
    fc.assert(
      fc.property(message, fc.nat(), fc.nat(7), (m, at, bit) => {
        const b = new Uint8Array(encodeMessage(m, { fingerprint: true }));
        const i = at % b.length;
        b[i] = b[i]! ^ (1 << bit);
        const r = decodeMessage(b);
        // A flip can hide the FINGERPRINT (its type code, or a length that swallows it); then the
        // message is merely unfingerprinted. A corrupted message must never pass as fingerprinted.
        return !r.ok || r.message.attributes.every((a) => a.type !== "FINGERPRINT");
      }),
      { numRuns: 5_000 },
    );
  });
});

// The decoder prints IPv6 in RFC 5952 short form; compare against the same form.
function decodedIp(text: string): string {
  return normalizeIp(text);
}
