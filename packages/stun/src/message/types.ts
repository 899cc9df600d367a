/** STUN message classes, from the two class bits of the message type. */
export type StunClass = "request" | "indication" | "success" | "error";

export type AddressFamily = "IPv4" | "IPv6";

/** An IP address and port as carried in address attributes. */
export interface TransportAddress {
  family: AddressFamily;
  address: string;
  port: number;
}

/** Names of the address-carrying attributes this codec understands. */
export type AddressAttributeName =
  | "XOR-MAPPED-ADDRESS"
  | "MAPPED-ADDRESS"
  | "OTHER-ADDRESS"
  | "CHANGED-ADDRESS"
  | "RESPONSE-ORIGIN"
  | "SOURCE-ADDRESS";

export interface AddressAttribute {
  type: AddressAttributeName;
  value: TransportAddress;
}

export interface ChangeRequestAttribute {
  type: "CHANGE-REQUEST";
  changeIp: boolean;
  changePort: boolean;
}

export interface SoftwareAttribute {
  type: "SOFTWARE";
  value: string;
}

export interface ErrorCodeAttribute {
  type: "ERROR-CODE";
  /** 300..699 */
  code: number;
  reason: string;
}

export interface UnknownAttributesAttribute {
  type: "UNKNOWN-ATTRIBUTES";
  types: number[];
}

/** Present only on decoded messages; the encoder adds it on request (`fingerprint: true`). */
export interface FingerprintAttribute {
  type: "FINGERPRINT";
  value: number;
}

/** Any attribute this codec does not interpret (kept byte for byte). */
export interface RawAttribute {
  type: "RAW";
  code: number;
  value: Uint8Array;
}

export type StunAttribute =
  | AddressAttribute
  | ChangeRequestAttribute
  | SoftwareAttribute
  | ErrorCodeAttribute
  | UnknownAttributesAttribute
  | FingerprintAttribute
  | RawAttribute;

/** A STUN message in a form that is easy to build and inspect. */
export interface StunMessage {
  /** 12-bit method; 0x001 is Binding. */
  method: number;
  class: StunClass;
  /** 12 bytes (RFC 8489). Together with the cookie it forms RFC 3489's 16-byte id. */
  transactionId: Uint8Array;
  /**
   * The 4 bytes after the length field. Equal to MAGIC_COOKIE for RFC 5389/8489 messages; an
   * RFC 3489 peer puts random bytes here. Defaults to MAGIC_COOKIE when encoding.
   */
  cookie?: number;
  attributes: StunAttribute[];
}

/** Result of decoding: never thrown, always named. */
export type DecodeResult = { ok: true; message: StunMessage } | { ok: false; error: string; offset: number };
