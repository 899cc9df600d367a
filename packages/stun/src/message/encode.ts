import { AttributeType, FINGERPRINT_XOR, HEADER_SIZE, MAGIC_COOKIE, MAX_TEXT_BYTES } from "./constants.js";
import { crc32 } from "./crc32.js";
import { familyOf, ipToBytes } from "./ip.js";
import { encodeMessageType } from "./message-type.js";
import type { AddressAttributeName, StunAttribute, StunMessage, TransportAddress } from "./types.js";

export interface EncodeOptions {
  /** Append a FINGERPRINT attribute (recommended on every message we send). */
  fingerprint?: boolean;
}

const ADDRESS_CODES: Record<AddressAttributeName, number> = {
  "XOR-MAPPED-ADDRESS": AttributeType.XorMappedAddress,
  "MAPPED-ADDRESS": AttributeType.MappedAddress,
  "OTHER-ADDRESS": AttributeType.OtherAddress,
  "CHANGED-ADDRESS": AttributeType.ChangedAddress,
  "RESPONSE-ORIGIN": AttributeType.ResponseOrigin,
  "SOURCE-ADDRESS": AttributeType.SourceAddress,
};

/**
 * Serialises a message. Input comes from our own code, so a malformed message (a 13-byte
 * transaction id, an invalid IP) throws a TypeError naming the problem rather than being sent.
 */
export function encodeMessage(message: StunMessage, options: EncodeOptions = {}): Buffer {
  if (message.transactionId.length !== 12) {
    throw new TypeError(`transactionId must be 12 bytes, got ${message.transactionId.length}`);
  }
  const cookie = message.cookie ?? MAGIC_COOKIE;
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt16BE(encodeMessageType(message.method, message.class), 0);
  header.writeUInt32BE(cookie >>> 0, 4);
  Buffer.from(message.transactionId).copy(header, 8);

  const parts: Buffer[] = [header];
  for (const attribute of message.attributes) {
    if (attribute.type === "FINGERPRINT") continue; // recomputed below when asked for
    parts.push(encodeAttribute(attribute, message));
  }
  let body = Buffer.concat(parts);
  if (options.fingerprint) {
    // The length field must already include the FINGERPRINT attribute when the CRC is taken.
    body.writeUInt16BE(body.length - HEADER_SIZE + 8, 2);
    const crc = (crc32(body) ^ FINGERPRINT_XOR) >>> 0;
    const fp = Buffer.alloc(8);
    fp.writeUInt16BE(AttributeType.Fingerprint, 0);
    fp.writeUInt16BE(4, 2);
    fp.writeUInt32BE(crc, 4);
    body = Buffer.concat([body, fp]);
  }
  if (body.length - HEADER_SIZE > 0xffff) throw new TypeError("message too large for STUN's 16-bit length");
  body.writeUInt16BE(body.length - HEADER_SIZE, 2);
  return body;
}

function tlv(code: number, value: Uint8Array): Buffer {
  const padded = (value.length + 3) & ~3;
  const out = Buffer.alloc(4 + padded);
  out.writeUInt16BE(code, 0);
  out.writeUInt16BE(value.length, 2);
  Buffer.from(value).copy(out, 4);
  return out;
}

function encodeAttribute(
  attribute: Exclude<StunAttribute, { type: "FINGERPRINT" }>,
  message: StunMessage,
): Buffer {
  switch (attribute.type) {
    case "XOR-MAPPED-ADDRESS":
    case "MAPPED-ADDRESS":
    case "OTHER-ADDRESS":
    case "CHANGED-ADDRESS":
    case "RESPONSE-ORIGIN":
    case "SOURCE-ADDRESS":
      return tlv(
        ADDRESS_CODES[attribute.type],
        encodeAddress(
          attribute.value,
          attribute.type === "XOR-MAPPED-ADDRESS" ? xorKey(message.transactionId) : undefined,
        ),
      );
    case "CHANGE-REQUEST": {
      const v = Buffer.alloc(4);
      v.writeUInt32BE((attribute.changeIp ? 4 : 0) | (attribute.changePort ? 2 : 0), 0);
      return tlv(AttributeType.ChangeRequest, v);
    }
    case "SOFTWARE":
      return tlv(AttributeType.Software, limitedText(attribute.value, "SOFTWARE"));
    case "ERROR-CODE": {
      if (!Number.isInteger(attribute.code) || attribute.code < 300 || attribute.code > 699) {
        throw new TypeError(`ERROR-CODE must be 300..699, got ${attribute.code}`);
      }
      const reason = limitedText(attribute.reason, "ERROR-CODE reason");
      const v = Buffer.alloc(4 + reason.length);
      v.writeUInt8(Math.floor(attribute.code / 100), 2);
      v.writeUInt8(attribute.code % 100, 3);
      reason.copy(v, 4);
      return tlv(AttributeType.ErrorCode, v);
    }
    case "UNKNOWN-ATTRIBUTES": {
      const v = Buffer.alloc(attribute.types.length * 2);
      attribute.types.forEach((t, i) => {
        v.writeUInt16BE(t & 0xffff, i * 2);
      });
      return tlv(AttributeType.UnknownAttributes, v);
    }
    case "RAW":
      return tlv(attribute.code, attribute.value);
  }
}

function limitedText(text: string, what: string): Buffer {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length > MAX_TEXT_BYTES) throw new TypeError(`${what} longer than ${MAX_TEXT_BYTES} bytes`);
  return bytes;
}

/** The 16 bytes an XOR address is masked with: magic cookie then transaction id. */
export function xorKey(transactionId: Uint8Array): Buffer {
  const key = Buffer.alloc(16);
  key.writeUInt32BE(MAGIC_COOKIE, 0);
  Buffer.from(transactionId).copy(key, 4);
  return key;
}

function encodeAddress(address: TransportAddress, xorWith?: Buffer): Buffer {
  const family = familyOf(address.address);
  if (family === undefined) throw new TypeError(`not an IP address: ${JSON.stringify(address.address)}`);
  if (!Number.isInteger(address.port) || address.port < 0 || address.port > 0xffff) {
    throw new TypeError(`port out of range: ${address.port}`);
  }
  const ip = ipToBytes(address.address);
  const v = Buffer.alloc(4 + ip.length);
  v.writeUInt8(family === "IPv4" ? 0x01 : 0x02, 1);
  let port = address.port;
  if (xorWith) {
    port ^= MAGIC_COOKIE >>> 16;
    // IPv4 uses the first 4 key bytes (the cookie); IPv6 all 16.
    for (let i = 0; i < ip.length; i++) ip[i] = ip[i]! ^ xorWith[i]!;
  }
  v.writeUInt16BE(port, 2);
  Buffer.from(ip).copy(v, 4);
  return v;
}
