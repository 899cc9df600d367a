import { defineCatalog } from "@autostun/plugins-api";

/**
 * What `autostun status` prints, line by line. States (OPEN, VERIFIED, MAPPED…) stay as the API names
 * them, so a user can match the text with `--json` and the console.
 */
export const statusMessages = defineCatalog({
  en: {
    tunnels: "Tunnels:",
    "tunnels.none": "none configured",
    "tunnel.line": "{id}: {state} — {at} (local port {localPort}, {path})",
    "tunnel.no-address": "no public address",
    "tunnel.port-not-chosen": "not chosen",
    "tunnel.stats":
      "{active} live, {handled} handled, {blocked} blocked, {bytesIn} bytes in, {bytesOut} bytes out",
    "downloader.line": "downloader {kind}: {state}, {port}",
    "downloader.verified": "listening on verified port {port}",
    "downloader.asked": "asked to take port {port}, not verified yet",
    "downloader.no-port": "no port pushed yet",
    "upnp.line": "UPnP: {state}",
    "upnp.mapped": "UPnP ({protocol}): {state}, the home router forwards {ip}:{port} to this host",
    why: "why: {error}",
    checks: "Checks:",
  },
  "zh-CN": {
    tunnels: "隧道：",
    "tunnels.none": "未配置",
    "tunnel.line": "{id}：{state} — {at}（本地端口 {localPort}，{path}）",
    "tunnel.no-address": "暂无公网地址",
    "tunnel.port-not-chosen": "尚未选定",
    "tunnel.stats":
      "活动连接 {active} 个，已处理 {handled}，已拦截 {blocked}，入站 {bytesIn} 字节，出站 {bytesOut} 字节",
    "downloader.line": "下载器 {kind}：{state}，{port}",
    "downloader.verified": "已验证在端口 {port} 上监听",
    "downloader.asked": "已要求使用端口 {port}，尚未验证",
    "downloader.no-port": "尚未推送端口",
    "upnp.line": "UPnP：{state}",
    "upnp.mapped": "UPnP（{protocol}）：{state}，家用路由器将 {ip}:{port} 转发到本机",
    why: "原因：{error}",
    checks: "检查：",
  },
});
