import { getChangeRequest } from "../message/accessors.js";
import { MAGIC_COOKIE, StunMethod } from "../message/constants.js";
import { familyOf } from "../message/ip.js";
import type { StunAttribute, StunMessage, TransportAddress } from "../message/types.js";

/** Which of the server's (up to) four sockets: index 0 = primary, 1 = alternate, for IP and port. */
export interface SocketSlot {
  ip: 0 | 1;
  port: 0 | 1;
}

export interface ServerAddresses {
  ips: [string, string | undefined];
  ports: [number, number];
}

export type ResponsePlan =
  | { kind: "ignore" }
  | { kind: "reply"; message: StunMessage; fingerprint: boolean; from: SocketSlot };

// Attributes we accept in a request without understanding them: auth we do not enforce, padding.
const TOLERATED = new Set([0x0006, 0x0008, 0x001c, 0x0026]);

/**
 * Decides the answer to one decoded request: a pure function so the RFC 5780 rules can be tested
 * without sockets.
 */
export function planResponse(
  request: StunMessage,
  transport: "udp" | "tcp",
  received: SocketSlot,
  client: TransportAddress,
  addresses: ServerAddresses,
  options: { software?: string; lieAboutChangeRequest?: boolean },
): ResponsePlan {
  if (request.class !== "request") return { kind: "ignore" };
  const classic = request.cookie !== undefined && request.cookie !== MAGIC_COOKIE;
  const base = { method: request.method, transactionId: request.transactionId, cookie: request.cookie };
  const error = (code: number, reason: string, extra: StunAttribute[] = []): ResponsePlan => ({
    kind: "reply",
    from: received,
    fingerprint: !classic,
    message: {
      ...base,
      class: "error",
      attributes: [{ type: "ERROR-CODE", code, reason }, ...extra, ...software(options.software)],
    },
  });

  if (request.method !== StunMethod.Binding) return error(400, "Bad Request: only Binding is supported");
  const unknown = request.attributes.flatMap((a) =>
    a.type === "RAW" && a.code < 0x8000 && !TOLERATED.has(a.code) ? [a.code] : [],
  );
  if (unknown.length > 0) {
    return error(420, "Unknown Attribute", [{ type: "UNKNOWN-ATTRIBUTES", types: unknown }]);
  }

  const change = getChangeRequest(request);
  const wantsChange = change !== undefined && (change.changeIp || change.changePort);
  if (wantsChange && (transport === "tcp" || addresses.ips[1] === undefined)) {
    const why = transport === "tcp" ? "CHANGE-REQUEST needs UDP" : "this server has no alternate address";
    return error(420, `Unknown Attribute: ${why}`, [{ type: "UNKNOWN-ATTRIBUTES", types: [0x0003] }]);
  }
  const honest: SocketSlot = {
    ip: (change?.changeIp ? 1 - received.ip : received.ip) as 0 | 1,
    port: (change?.changePort ? 1 - received.port : received.port) as 0 | 1,
  };
  const sendFrom = wantsChange && options.lieAboutChangeRequest ? received : honest;
  const origin = address(addresses, honest);
  const attributes: StunAttribute[] = [];
  if (!classic) attributes.push({ type: "XOR-MAPPED-ADDRESS", value: client });
  attributes.push({ type: "MAPPED-ADDRESS", value: client });
  if (addresses.ips[1] !== undefined) {
    // RFC 5780: where a change-IP-and-port answer to *this* request would come from, so it depends on
    // the socket the request arrived on.
    const other = address(addresses, { ip: (1 - received.ip) as 0 | 1, port: (1 - received.port) as 0 | 1 });
    attributes.push({ type: classic ? "CHANGED-ADDRESS" : "OTHER-ADDRESS", value: other });
  }
  attributes.push({ type: classic ? "SOURCE-ADDRESS" : "RESPONSE-ORIGIN", value: origin });
  attributes.push(...software(options.software));
  return {
    kind: "reply",
    from: sendFrom,
    fingerprint: !classic,
    message: { ...base, class: "success", attributes },
  };
}

function software(value: string | undefined): StunAttribute[] {
  return value ? [{ type: "SOFTWARE", value }] : [];
}

/** The transport address of one socket slot. */
export function address(addresses: ServerAddresses, slot: SocketSlot): TransportAddress {
  const ip = addresses.ips[slot.ip] ?? addresses.ips[0];
  return { family: familyOf(ip) ?? "IPv4", address: ip, port: addresses.ports[slot.port] };
}
