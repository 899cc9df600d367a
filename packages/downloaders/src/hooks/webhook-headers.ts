/**
 * Headers a webhook's secret may not travel in unless the config file (the admin) says so. Through the
 * API they would let any caller send the daemon's requests with a session cookie or credentials of its
 * choosing to any service on this host, pick the virtual host, or break HTTP framing (hop-by-hop
 * headers belong to one connection, and fetch refuses several of them outright).
 */
const RESERVED = new Map<string, string>([
  ["cookie", "carries a session: it would log the request in as someone"],
  ["authorization", "carries credentials: it would log the request in as someone"],
  ["proxy-authorization", "carries proxy credentials"],
  ["host", "chooses which site on the receiver answers"],
  ["connection", "is hop-by-hop: it belongs to the connection, not the request"],
  ["keep-alive", "is hop-by-hop: it belongs to the connection, not the request"],
  ["proxy-connection", "is hop-by-hop: it belongs to the connection, not the request"],
  ["transfer-encoding", "frames the body: a wrong value corrupts the request"],
  ["te", "is hop-by-hop: it belongs to the connection, not the request"],
  ["trailer", "is hop-by-hop: it belongs to the connection, not the request"],
  ["upgrade", "switches the connection to another protocol"],
  ["content-length", "frames the body: a wrong value corrupts the request"],
]);

/**
 * Why `name` may not carry a webhook secret set through the API, or undefined when it may. The config
 * file may still use these names: whoever edits it already runs the daemon.
 */
export function reservedSecretHeader(name: string): string | undefined {
  return RESERVED.get(name.trim().toLowerCase());
}
