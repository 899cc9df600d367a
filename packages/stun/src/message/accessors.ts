import { randomBytes } from "node:crypto";
import { StunMethod } from "./constants.js";
import type {
  AddressAttributeName,
  ErrorCodeAttribute,
  StunAttribute,
  StunMessage,
  TransportAddress,
} from "./types.js";

/** 12 random bytes for a new transaction. */
export function newTransactionId(): Uint8Array {
  return new Uint8Array(randomBytes(12));
}

/** A Binding request with optional extra attributes (e.g. CHANGE-REQUEST, SOFTWARE). */
export function createBindingRequest(attributes: StunAttribute[] = []): StunMessage {
  return { method: StunMethod.Binding, class: "request", transactionId: newTransactionId(), attributes };
}

/** First address attribute of the given name. */
export function getAddress(message: StunMessage, name: AddressAttributeName): TransportAddress | undefined {
  for (const a of message.attributes) if (a.type === name) return a.value;
  return undefined;
}

/** The reflexive address: XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS (older or RFC 3489 servers). */
export function getMappedAddress(message: StunMessage): TransportAddress | undefined {
  return getAddress(message, "XOR-MAPPED-ADDRESS") ?? getAddress(message, "MAPPED-ADDRESS");
}

/** The server's alternate address: OTHER-ADDRESS (RFC 5780), else CHANGED-ADDRESS (RFC 3489). */
export function getOtherAddress(message: StunMessage): TransportAddress | undefined {
  return getAddress(message, "OTHER-ADDRESS") ?? getAddress(message, "CHANGED-ADDRESS");
}

/** Where the server says it sent from: RESPONSE-ORIGIN, else SOURCE-ADDRESS (RFC 3489). */
export function getResponseOrigin(message: StunMessage): TransportAddress | undefined {
  return getAddress(message, "RESPONSE-ORIGIN") ?? getAddress(message, "SOURCE-ADDRESS");
}

export function getErrorCode(message: StunMessage): ErrorCodeAttribute | undefined {
  for (const a of message.attributes) if (a.type === "ERROR-CODE") return a;
  return undefined;
}

export function getSoftware(message: StunMessage): string | undefined {
  for (const a of message.attributes) if (a.type === "SOFTWARE") return a.value;
  return undefined;
}

export function getChangeRequest(
  message: StunMessage,
): { changeIp: boolean; changePort: boolean } | undefined {
  for (const a of message.attributes) {
    if (a.type === "CHANGE-REQUEST") return { changeIp: a.changeIp, changePort: a.changePort };
  }
  return undefined;
}

/** True when both ids hold the same bytes. */
export function sameTransaction(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** "ip:port", with brackets around IPv6. */
export function formatAddress(address: { address: string; port: number }): string {
  return address.address.includes(":")
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}
