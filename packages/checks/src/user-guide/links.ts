/**
 * Sections of AutoSTUN's own user guide (docs/user-guide.md) that guidance points to. Repository-relative:
 * the console and the CLI resolve them against wherever the docs are served.
 */
export const GUIDE_LINKS = {
  docker: "docs/user-guide.md#docker-network-mode",
  firewall: "docs/user-guide.md#system-firewall",
  security: "docs/user-guide.md#security-software",
  nat: "docs/user-guide.md#nat-type",
  tunnel: "docs/user-guide.md#your-first-tunnel",
  publicIp: "docs/user-guide.md#is-it-for-you",
  ipv6: "docs/user-guide.md#ipv6",
} as const;
