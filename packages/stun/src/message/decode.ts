import { AttributeType, FINGERPRINT_XOR, HEADER_SIZE, MAGIC_COOKIE, MAX_TEXT_BYTES } from "./constants.js";
import { crc32 } from "./crc32.js";
import { xorKey } from "./encode.js";
import { bytesToIp } from "./ip.js";
import { decodeMessageType } from "./message-type.js";
import type { AddressAttributeName, DecodeResult, StunAttribute, TransportAddress } from "./types.js";

const ADDRESS_NAMES = new Map<number, AddressAttributeName>([
  [AttributeType.XorMappedAddress, "XOR-MAPPED-ADDRESS"],
  [AttributeType.MappedAddress, "MAPPED-ADDRESS"],
  [AttributeType.OtherAddress, "OTHER-ADDRESS"],
  [AttributeType.ChangedAddress, "CHANGED-ADDRESS"],
  [AttributeType.ResponseOrigin, "RESPONSE-ORIGIN"],
  [AttributeType.SourceAddress, "SOURCE-ADDRESS"],
]);

class DecodeError {
  constructor(
    readonly error: string,
    readonly offset: number,
  ) {}
}

function fail(what: string, offset: number, detail?: string): never {
  throw new DecodeError(`${what} at byte ${offset}${detail ? ` (${detail})` : ""}`, offset);
}

/**
 * Quick test whether bytes look like a STUN message at all (first two bits zero, magic cookie),
 * for demultiplexing a socket that also carries other traffic.
 */
export function looksLikeStun(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER_SIZE && (bytes[0]! & 0xc0) === 0 && readU32(bytes, 4) === MAGIC_COOKIE;
}

/**
 * Decodes one whole STUN message. Never throws: every problem comes back as
 * `{ ok: false, error, offset }` naming what was wrong and the byte offset where it was found.
 * No length field is trusted before it is checked against the bytes actually present.
 */
export function decodeMessage(bytes: Uint8Array): DecodeResult {
  try {
    return { ok: true, message: decodeOrThrow(bytes) };
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, error: e.error, offset: e.offset };
    // A bug in this decoder must still not escape into a socket handler.
    return { ok: false, error: `internal decoder error: ${String(e)}`, offset: 0 };
  }
}

function readU16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}
function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function decodeOrThrow(bytes: Uint8Array) {
  if (bytes.length < HEADER_SIZE) fail(`truncated header: need ${HEADER_SIZE} bytes, got ${bytes.length}`, 0);
  const type = readU16(bytes, 0);
  if ((type & 0xc000) !== 0) fail("first two bits must be zero (not a STUN message)", 0);
  const length = readU16(bytes, 2);
  if (length % 4 !== 0) fail(`message length ${length} is not a multiple of 4`, 2);
  if (HEADER_SIZE + length > bytes.length) {
    fail(
      `message length ${length} runs past the end (${bytes.length - HEADER_SIZE} bytes follow the header)`,
      2,
    );
  }
  if (HEADER_SIZE + length < bytes.length) {
    fail(`${bytes.length - HEADER_SIZE - length} trailing bytes after the declared length ${length}`, 2);
  }
  const cookie = readU32(bytes, 4);
  const transactionId = Uint8Array.from(bytes.subarray(8, 20));
  const { method, class: cls } = decodeMessageType(type);
  const key = xorKey(transactionId);

  const attributes: StunAttribute[] = [];
  let offset = HEADER_SIZE;
  const end = HEADER_SIZE + length;
  while (offset < end) {
    if (end - offset < 4) fail("truncated attribute header", offset);
    const code = readU16(bytes, offset);
    const valueLength = readU16(bytes, offset + 2);
    const valueStart = offset + 4;
    if (valueStart + valueLength > end) {
      fail(`attribute 0x${hex(code)} length ${valueLength} runs past the end of the message`, offset + 2);
    }
    const value = bytes.subarray(valueStart, valueStart + valueLength);
    const padded = (valueLength + 3) & ~3;
    if (valueStart + padded > end) fail(`attribute 0x${hex(code)} padding runs past the end`, valueStart);

    if (code === AttributeType.Fingerprint) {
      if (valueLength !== 4) fail(`FINGERPRINT must be 4 bytes, got ${valueLength}`, offset + 2);
      if (valueStart + 4 !== end) fail("FINGERPRINT is not the last attribute", offset);
      // The CRC covers everything before the attribute, with the length field as sent.
      const expected = (crc32(bytes, 0, offset) ^ FINGERPRINT_XOR) >>> 0;
      const actual = readU32(bytes, valueStart);
      if (expected !== actual) {
        fail("FINGERPRINT mismatch", valueStart, `got 0x${hex(actual, 8)}, expected 0x${hex(expected, 8)}`);
      }
      attributes.push({ type: "FINGERPRINT", value: actual });
    } else {
      attributes.push(decodeAttribute(code, value, valueStart, key));
    }
    offset = valueStart + padded;
  }
  return { method, class: cls, transactionId, cookie, attributes };
}

function hex(n: number, width = 4): string {
  return n.toString(16).padStart(width, "0");
}

function decodeAttribute(code: number, value: Uint8Array, at: number, key: Uint8Array): StunAttribute {
  const addressName = ADDRESS_NAMES.get(code);
  if (addressName) {
    return {
      type: addressName,
      value: decodeAddress(addressName, value, at, addressName === "XOR-MAPPED-ADDRESS" ? key : undefined),
    };
  }
  switch (code) {
    case AttributeType.ChangeRequest: {
      if (value.length !== 4) fail(`CHANGE-REQUEST must be 4 bytes, got ${value.length}`, at - 2);
      const flags = readU32(value, 0);
      return { type: "CHANGE-REQUEST", changeIp: (flags & 4) !== 0, changePort: (flags & 2) !== 0 };
    }
    case AttributeType.Software:
      if (value.length > MAX_TEXT_BYTES) fail(`SOFTWARE longer than ${MAX_TEXT_BYTES} bytes`, at - 2);
      return { type: "SOFTWARE", value: Buffer.from(value).toString("utf8") };
    case AttributeType.ErrorCode: {
      if (value.length < 4) fail(`ERROR-CODE must be at least 4 bytes, got ${value.length}`, at - 2);
      if (value.length - 4 > MAX_TEXT_BYTES)
        fail(`ERROR-CODE reason longer than ${MAX_TEXT_BYTES} bytes`, at - 2);
      const cls = value[2]! & 0x07;
      const number = value[3]!;
      if (cls < 3 || cls > 6) fail(`ERROR-CODE class ${cls} outside 3..6`, at + 2);
      if (number > 99) fail(`ERROR-CODE number ${number} above 99`, at + 3);
      return {
        type: "ERROR-CODE",
        code: cls * 100 + number,
        reason: Buffer.from(value.subarray(4)).toString("utf8"),
      };
    }
    case AttributeType.UnknownAttributes: {
      if (value.length % 2 !== 0) fail(`UNKNOWN-ATTRIBUTES length ${value.length} is odd`, at - 2);
      const types: number[] = [];
      for (let i = 0; i < value.length; i += 2) types.push(readU16(value, i));
      return { type: "UNKNOWN-ATTRIBUTES", types };
    }
    default:
      return { type: "RAW", code, value: Uint8Array.from(value) };
  }
}

function decodeAddress(name: string, value: Uint8Array, at: number, key?: Uint8Array): TransportAddress {
  if (value.length < 4) fail(`${name} too short (${value.length} bytes)`, at - 2);
  const familyByte = value[1]!;
  const size =
    familyByte === 0x01
      ? 4
      : familyByte === 0x02
        ? 16
        : fail(`${name} has unknown address family 0x${hex(familyByte, 2)}`, at + 1);
  if (value.length !== 4 + size) {
    fail(`${name} length ${value.length} does not match its family (want ${4 + size})`, at - 2);
  }
  let port = readU16(value, 2);
  const ip = Uint8Array.from(value.subarray(4, 4 + size));
  if (key) {
    port ^= MAGIC_COOKIE >>> 16;
    for (let i = 0; i < size; i++) ip[i] = ip[i]! ^ key[i]!;
  }
  return { family: size === 4 ? "IPv4" : "IPv6", address: bytesToIp(ip), port };
}
