import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server as TcpServer, type Socket as TcpSocket } from "node:net";
import { decodeMessage } from "../message/decode.js";
import { encodeMessage } from "../message/encode.js";
import { familyOf } from "../message/ip.js";
import type { TransportAddress } from "../message/types.js";
import { StunStreamFramer } from "../transport/stream-framer.js";
import { type StunServerOptions, type ValidServerOptions, validateServerOptions } from "./options.js";
import { planResponse, type ServerAddresses, type SocketSlot } from "./respond.js";

/** One address the server listens on. */
export interface StunServerEndpoint {
  transport: "udp" | "tcp";
  address: string;
  port: number;
}

/** A running STUN server. */
export interface StunServer {
  readonly endpoints: StunServerEndpoint[];
  close(): Promise<void>;
}

const AUTO_PORT_ATTEMPTS = 20;

/**
 * Starts an RFC 5780 STUN server: UDP and/or TCP on primary:port, and with `alternate` also on
 * primary:altPort, alternate:port and alternate:altPort. Rejects with a clear error when an
 * address cannot be bound; once running, bad packets never crash it.
 */
export async function startStunServer(options: StunServerOptions): Promise<StunServer> {
  const valid = validateServerOptions(options);
  const auto = valid.port === 0 || (valid.alternate !== undefined && valid.altPort === 0);
  let lastError: unknown;
  for (let attempt = 0; attempt < (auto ? AUTO_PORT_ATTEMPTS : 1); attempt++) {
    try {
      return await tryStart(valid);
    } catch (error) {
      lastError = error;
      if (!(auto && isAddressInUse(error))) break;
    }
  }
  throw new Error(
    `cannot start STUN server on ${valid.primary}${valid.alternate ? ` and ${valid.alternate}` : ""}: ${errorText(lastError)}`,
    { cause: lastError },
  );
}

function isAddressInUse(error: unknown): boolean {
  return (error as { code?: unknown })?.code === "EADDRINUSE";
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class RunningServer implements StunServer {
  readonly endpoints: StunServerEndpoint[] = [];
  readonly udp = new Map<string, UdpSocket>();
  readonly tcp: TcpServer[] = [];
  readonly connections = new Set<TcpSocket>();
  readonly addresses: ServerAddresses;

  constructor(readonly options: ValidServerOptions) {
    this.addresses = { ips: [options.primary, options.alternate], ports: [options.port, options.altPort] };
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.destroy();
    await Promise.all([
      ...[...this.udp.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      ...this.tcp.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    ]);
  }
}

function slotKey(slot: SocketSlot): string {
  return `${slot.ip}.${slot.port}`;
}

async function tryStart(options: ValidServerOptions): Promise<StunServer> {
  const server = new RunningServer(options);
  const slots: SocketSlot[] = options.alternate
    ? [
        { ip: 0, port: 0 },
        { ip: 1, port: 0 },
        { ip: 0, port: 1 },
        { ip: 1, port: 1 },
      ]
    : [{ ip: 0, port: 0 }];
  try {
    for (const slot of slots) {
      // The first bind of a slot with port 0 fixes that port for every other socket sharing it.
      if (options.udp) {
        const port = await bindUdp(server, slot);
        server.addresses.ports[slot.port] = port;
      }
      if (options.tcp) {
        const port = await bindTcp(server, slot);
        server.addresses.ports[slot.port] = port;
      }
    }
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}

function bindUdp(server: RunningServer, slot: SocketSlot): Promise<number> {
  const ip = server.addresses.ips[slot.ip]!;
  const socket = createSocket(familyOf(ip) === "IPv6" ? "udp6" : "udp4");
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind({ address: ip, port: server.addresses.ports[slot.port], exclusive: true }, () => {
      socket.off("error", reject);
      socket.on("error", (e) => server.options.onError(new Error(`UDP ${ip}: ${e.message}`, { cause: e })));
      socket.on("message", (data, rinfo) => onDatagram(server, slot, data, rinfo));
      server.udp.set(slotKey(slot), socket);
      const port = socket.address().port;
      server.endpoints.push({ transport: "udp", address: ip, port });
      resolve(port);
    });
  }).catch((error: unknown) => {
    socket.close();
    throw error;
  }) as Promise<number>;
}

function onDatagram(
  server: RunningServer,
  slot: SocketSlot,
  data: Buffer,
  rinfo: { address: string; port: number; family: string },
): void {
  const decoded = decodeMessage(data);
  if (!decoded.ok) return; // garbage from the network is not the operator's problem
  const client: TransportAddress = {
    family: rinfo.family === "IPv6" ? "IPv6" : "IPv4",
    address: rinfo.address,
    port: rinfo.port,
  };
  const plan = planResponse(decoded.message, "udp", slot, client, server.addresses, server.options);
  if (plan.kind === "ignore") return;
  if (server.options.loseUdpReply?.(decoded.message)) return;
  const socket = server.udp.get(slotKey(plan.from)) ?? server.udp.get(slotKey(slot))!;
  let bytes: Buffer;
  try {
    bytes = encodeMessage(plan.message, { fingerprint: plan.fingerprint });
  } catch (error) {
    server.options.onError(new Error(`cannot encode response: ${errorText(error)}`));
    return;
  }
  socket.send(bytes, rinfo.port, rinfo.address, (error) => {
    if (error)
      server.options.onError(new Error(`UDP send to ${rinfo.address}:${rinfo.port}: ${error.message}`));
  });
}

function bindTcp(server: RunningServer, slot: SocketSlot): Promise<number> {
  const ip = server.addresses.ips[slot.ip]!;
  const tcp = createServer((socket) => onConnection(server, slot, socket));
  return new Promise<number>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen({ host: ip, port: server.addresses.ports[slot.port], exclusive: true }, () => {
      tcp.off("error", reject);
      tcp.on("error", (e) => server.options.onError(new Error(`TCP ${ip}: ${e.message}`, { cause: e })));
      server.tcp.push(tcp);
      const address = tcp.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.endpoints.push({ transport: "tcp", address: ip, port });
      resolve(port);
    });
  }).catch((error: unknown) => {
    tcp.close();
    throw error;
  });
}

function onConnection(server: RunningServer, slot: SocketSlot, socket: TcpSocket): void {
  server.connections.add(socket);
  const framer = new StunStreamFramer();
  socket.setTimeout(server.options.tcpIdleTimeoutMs, () => socket.destroy());
  // Client resets are routine; they must not reach the process.
  socket.on("error", () => socket.destroy());
  socket.on("close", () => server.connections.delete(socket));
  socket.on("data", (chunk) => {
    const out = framer.push(chunk);
    if (!out.ok) {
      socket.destroy();
      return;
    }
    for (const decoded of out.messages) {
      if (!decoded.ok) continue;
      const client: TransportAddress = {
        family: socket.remoteFamily === "IPv6" ? "IPv6" : "IPv4",
        address: socket.remoteAddress ?? "",
        port: socket.remotePort ?? 0,
      };
      const plan = planResponse(decoded.message, "tcp", slot, client, server.addresses, server.options);
      if (plan.kind === "ignore") continue;
      try {
        socket.write(encodeMessage(plan.message, { fingerprint: plan.fingerprint }));
      } catch (error) {
        server.options.onError(new Error(`cannot encode response: ${errorText(error)}`));
      }
    }
  });
}
