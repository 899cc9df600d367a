/**
 * Public STUN servers used when the config names none. Chosen because they answer from mainland China and
 * abroad, and several of them support RFC 5780 behaviour tests (OTHER-ADDRESS, CHANGE-REQUEST) or STUN over
 * TCP, which the TCP mapping verdict and the tunnel need. Tests never use these: they configure lab servers.
 */
export const DEFAULT_STUN_UDP = [
  "stun.miwifi.com:3478",
  "stun.chat.bilibili.com:3478",
  "stun.hot-chilli.net:3478",
  "stun.fitauto.ru:3478",
  "stun.syncthing.net:3478",
  "stun.cloudflare.com:3478",
  "stun.l.google.com:19302",
] as const;

export const DEFAULT_STUN_TCP = [
  "stun.hot-chilli.net:3478",
  "stun.fitauto.ru:3478",
  "stun.nextcloud.com:443",
  "stun.sipnet.com:3478",
  "turn.cloudflare.com:80",
] as const;

/** An HTTP server that tolerates long-lived keep-alive connections, for holding TCP mappings open. */
export const DEFAULT_KEEPALIVE_TARGET = "www.qq.com:80";

export const DEFAULT_API_LISTEN = "127.0.0.1:7878";
