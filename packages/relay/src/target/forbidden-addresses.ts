import { addressKind, type IpAddress, parseIp } from "@autostun/ip";

/**
 * Instance metadata services: an HTTP server on the host's own network that hands out cloud
 * credentials to whatever asks from inside the machine. A tunnel to one of them publishes those
 * credentials to every peer on the internet, so no tunnel may point at them, whatever their range.
 */
const METADATA: readonly { address: string; provider: string; ip: IpAddress }[] = [
  // AWS, Google Cloud, Azure IMDS, Oracle Cloud, DigitalOcean, OpenStack and others all answer here.
  { address: "169.254.169.254", provider: "AWS, Google Cloud, Azure, Oracle, DigitalOcean, OpenStack" },
  // AWS ECS task metadata and credentials endpoint (v2).
  { address: "169.254.170.2", provider: "AWS ECS" },
  // AWS EC2 instance metadata over IPv6 (Nitro instances).
  { address: "fd00:ec2::254", provider: "AWS EC2 (IPv6)" },
  // Alibaba Cloud ECS instance metadata.
  { address: "100.100.100.200", provider: "Alibaba Cloud" },
  // Azure WireServer: the platform's agent channel (extensions, certificates) on every Azure VM.
  { address: "168.63.129.16", provider: "Azure WireServer" },
].map((entry) => ({ ...entry, ip: parseIp(entry.address) as IpAddress }));

/** Why no tunnel may forward to `ip`, or undefined when its range alone does not forbid it. */
export function forbiddenAddress(ip: IpAddress): string | undefined {
  const metadata = METADATA.find((entry) => entry.ip.family === ip.family && entry.ip.value === ip.value);
  if (metadata)
    return `${metadata.address} is a cloud metadata service (${metadata.provider}), which hands out this machine's credentials; publishing it would give them to any peer`;
  if (addressKind(ip) === "link-local")
    return "that is a link-local address (169.254.0.0/16, fe80::/10), where cloud metadata services and device management pages live, not a downloader";
  return undefined;
}

/** The same for an address as text; undefined for text that is no IP address (a name is judged later). */
export function forbiddenAddressText(text: string): string | undefined {
  const ip = parseIp(text);
  return ip ? forbiddenAddress(ip) : undefined;
}

/** What to do instead, for a refused target. */
export const FORBIDDEN_ADVICE =
  'Point the tunnel at the downloader on this host or the LAN, e.g. "127.0.0.1:6881".';
