import { createSocket } from "node:dgram";

const SSDP_GROUP = "239.255.255.250";
const SSDP_PORT = 1900;

/** What an Internet Gateway Device answers to; routers differ in which they honour, so all are asked. */
const SEARCH_TARGETS = [
  "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
  "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
  "urn:schemas-upnp-org:service:WANIPConnection:1",
];

export interface SsdpSearchOptions {
  /** Give up after this long (default 3 000 ms). */
  timeoutMs?: number;
  /** Ask this address directly instead of the multicast group (UPnP 1.1 allows unicast M-SEARCH). */
  address?: string;
  signal?: AbortSignal;
}

/** MX 1: devices spread their answers over at most a second (miniupnpd waits a random share of it). */
function searchMessage(target: string, host: string): Buffer {
  return Buffer.from(
    `M-SEARCH * HTTP/1.1\r\nHOST: ${host}:${SSDP_PORT}\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ${target}\r\n\r\n`,
  );
}

/** The LOCATION header of an SSDP answer (`HTTP/1.1 200 OK` with headers), if it has one. */
export function locationOf(answer: string): string | undefined {
  if (!/^HTTP\/1\.[01] 200/i.test(answer)) return undefined;
  const m = /^location:\s*(\S+)\s*$/im.exec(answer);
  return m?.[1];
}

/**
 * Ask the LAN for an Internet Gateway Device with SSDP M-SEARCH and resolve with the first device
 * description URL that answers, or undefined when none answers in time. Sent from an ephemeral port on
 * the default route's interface, so it stays on the network this host is on.
 */
export function searchGateway(options: SsdpSearchOptions = {}): Promise<string | undefined> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const host = options.address ?? SSDP_GROUP;
  return new Promise((resolve) => {
    const socket = createSocket({ type: "udp4" });
    let done = false;
    const finish = (location: string | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      socket.close();
      resolve(location);
    };
    const onAbort = () => finish(undefined);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) return finish(undefined);
    socket.on("message", (message) => {
      const location = locationOf(message.toString("latin1"));
      if (location && /^https?:\/\//i.test(location)) finish(location);
    });
    // No interface or route for multicast: there is no LAN gateway to find, which is an answer too.
    socket.on("error", () => finish(undefined));
    socket.bind(0, () => {
      if (done) return;
      if (host === SSDP_GROUP) socket.setMulticastTTL(2);
      for (const target of SEARCH_TARGETS) socket.send(searchMessage(target, host), SSDP_PORT, host);
    });
  });
}
