/** The fixed value in bytes 4..7 of every RFC 5389/8489 message. */
export const MAGIC_COOKIE = 0x2112a442;

/** Size of the STUN header; the length field counts bytes after it. */
export const HEADER_SIZE = 20;

/** Mixed into the CRC-32 so a FINGERPRINT cannot be confused with another protocol's checksum. */
export const FINGERPRINT_XOR = 0x5354554e;

/** Methods this package speaks. */
export const StunMethod = {
  Binding: 0x001,
} as const;

/** Attribute type codes (RFC 8489, RFC 5780, RFC 3489). */
export const AttributeType = {
  MappedAddress: 0x0001,
  ResponseAddress: 0x0002,
  ChangeRequest: 0x0003,
  SourceAddress: 0x0004,
  ChangedAddress: 0x0005,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  XorMappedAddress: 0x0020,
  Padding: 0x0026,
  ResponsePort: 0x0027,
  Software: 0x8022,
  AlternateServer: 0x8023,
  Fingerprint: 0x8028,
  ResponseOrigin: 0x802b,
  OtherAddress: 0x802c,
} as const;

/** SOFTWARE and ERROR-CODE reason phrases are limited to 763 bytes of UTF-8. */
export const MAX_TEXT_BYTES = 763;
