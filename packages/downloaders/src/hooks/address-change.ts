/** One endpoint of a tunnel. */
export interface Endpoint {
  ip: string;
  port: number;
}

/** What hooks are told when a tunnel opens or its public address changes. */
export interface AddressChange {
  tunnelId: string;
  protocol: "tcp";
  /** Where the tunnel is on this host (port P). */
  private: Endpoint;
  /** Where peers on the internet reach it. */
  public: Endpoint;
}

/** The variables a hook command gets, beside the daemon's own environment. */
export function hookEnvironment(change: AddressChange): Record<string, string> {
  return {
    AUTOSTUN_TUNNEL_ID: change.tunnelId,
    AUTOSTUN_PROTOCOL: change.protocol,
    AUTOSTUN_PRIVATE_IP: change.private.ip,
    AUTOSTUN_PRIVATE_PORT: String(change.private.port),
    AUTOSTUN_PUBLIC_IP: change.public.ip,
    AUTOSTUN_PUBLIC_PORT: String(change.public.port),
  };
}
