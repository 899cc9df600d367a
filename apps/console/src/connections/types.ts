/** Where a peer is, as far as the daemon's GeoIP data knows. */
export interface Geo {
  country: string | null;
  city: string | null;
  asn: number | null;
}

/** One peer connection with the fields the table selects. */
export interface PeerConnection {
  id: string;
  tunnelId: string;
  remoteAddress: string;
  proxyAddress: string | null;
  openedAt: string;
  closedAt: string | null;
  bytesIn: number;
  bytesOut: number;
  geo: Geo | null;
}

export type ConnectionEventType = "OPENED" | "UPDATED" | "CLOSED";

export interface ConnectionEvent {
  type: ConnectionEventType;
  connection: PeerConnection;
}
