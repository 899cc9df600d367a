/**
 * Finds English left inside Chinese text. What counts as English here:
 *
 * - a run of three or more Latin-script words in a row (separated by spaces or ASCII punctuation only),
 *   such as "not run yet"; or
 * - any shorter run that holds an English function word ("the", "is", "to", "of", …), such as "the check"
 *   or "timed out after".
 *
 * What is never English prose, and is removed before looking:
 * - `{placeholders}` of a catalog template (their values are checked where they are filled);
 * - text in backticks: commands and config snippets the user types as they are;
 * - tokens with a digit, dot, slash, colon, underscore, `@` or a leading dash: ids (`nat.type`), addresses
 *   (`127.0.0.1:3478`), paths and links (`docs/user-guide.md#nat-type`), options (`--check`);
 * - the allowed names below and any the caller adds: product and protocol names (AutoSTUN, Docker,
 *   BitTorrent, UPnP…) and command names (`autostun doctor`, `docker compose`).
 * A single name or word between Chinese characters ("docker 容器", "NAT1 全锥型") is therefore allowed.
 */
const FUNCTION_WORDS = new Set(
  (
    "a an the is are was were be been not no to of in on at for with and or but by from it its this that " +
    "these those did does do could cannot can't should would will yet only after before within than out " +
    "any every nothing nobody has have had"
  ).split(" "),
);

export const ALLOWED_NAMES: readonly string[] = [
  "autostun doctor",
  "autostun serve",
  "autostun",
  "AutoSTUN",
  "docker compose",
  "docker-compose",
  "docker run",
  "podman run",
  "Docker Desktop",
  "Windows Defender Firewall",
  "Windows Defender",
  "Windows Security Center",
  "Windows",
  "macOS",
  "Linux",
  "BitTorrent",
  "qBittorrent",
  "Transmission",
  "Deluge",
  "aria2",
  "Podman",
  "Docker",
  "Synology DSM",
  "STUN",
  "UPnP",
  "NAT",
  "UDP",
  "TCP",
  "DMZ",
  "DHCP",
  "MAC",
  "IP",
  "IPv4",
  "IPv6",
  "RFC",
  "OTHER-ADDRESS",
  "nftables",
  "iptables",
  "ufw allow",
  "ufw",
  "firewall-cmd",
  "firewalld",
  "JSON",
  "MB",
  "MiB",
  "KiB",
  "root",
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The English runs found in `text`, each as it appears; empty when the text is clean. */
export function latinSentences(text: string, allowed: readonly string[] = []): string[] {
  let rest = text
    .replace(/\{\w+\}/g, " ")
    .replace(/`[^`]*`/g, " ")
    .replace(/\S*[\d./:_@\\]\S*/g, " ")
    .replace(/(^|\s)-{1,2}\w[\w-]*/g, " ");
  // Longest names first, so "Windows Defender Firewall" goes before "Windows" can split it.
  const names = [...allowed, ...ALLOWED_NAMES].sort((a, b) => b.length - a.length);
  for (const name of names)
    rest = rest.replace(new RegExp(`(?<![A-Za-z])${escapeRegExp(name)}(?![A-Za-z])`, "g"), " ");
  const found: string[] = [];
  for (const match of rest.matchAll(/[A-Za-z][A-Za-z'’]*(?:[\s,;:()"'!?-]+[A-Za-z][A-Za-z'’]*)*/g)) {
    const words = match[0].split(/[^A-Za-z'’]+/).filter(Boolean);
    if (words.length >= 3 || words.some((word) => FUNCTION_WORDS.has(word.toLowerCase())))
      found.push(match[0]);
  }
  return found;
}
