/**
 * Sections of the user guide that the environment checks' guidance points to. Repository-relative:
 * the console and the CLI resolve them against wherever the docs are served.
 */
export const GUIDE_LINKS = {
  docker: "docs/user-guide.md#docker-network-driver-troubleshooting-guide",
  firewall: "docs/user-guide.md#3-local-firewall-settings",
  security: "docs/user-guide.md#0-what-factors-affect-nat-type",
} as const;
