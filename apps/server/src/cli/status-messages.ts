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
    "tunnel.stats-unknown": "counters not known (the tunnel is not forwarding, or the kernel would not tell)",
    "udp.same": "UDP: {state} — {at}, same port as TCP",
    "udp.other": "UDP: {state} — {at}, not on the TCP port: {reason}",
    "udp.off": "UDP: off (udp: false in the tunnel's config)",
    "downloader.line": "downloader {kind}: {state}, {port}",
    "downloader.verified": "listening on verified port {port}",
    "downloader.asked": "asked to take port {port}, not verified yet",
    "downloader.no-port": "no port pushed yet",
    "upnp.line": "UPnP: {state}",
    "upnp.mapped": "UPnP ({protocol}): {state}, the home router forwards {ip}:{port} to this host",
    "ipv6.line": "IPv6: peers reach the downloader at [{address}]:{port}",
    "ipv6.no-address": "IPv6: the downloader's port is {port}; its IPv6 address is not known",
    "ipv6.pinhole": "IPv6 pinhole: {state}",
    "ipv6.pinhole-open": "IPv6 pinhole ({protocol}): OPEN for {transports} until {until}",
    "ipv6.pinhole-open-endless": "IPv6 pinhole ({protocol}): OPEN for {transports}, no lease end",
    why: "why: {error}",
    checks: "Checks:",
    "failure.head": "autostun status: asked the daemon at {url}: {why}",
    "failure.refused":
      "nothing listens there, so AutoSTUN is not running at that address. Start it with `autostun serve`, or pass the --config file it runs with so that api.listen matches.",
    "failure.timeout":
      "no answer within {seconds} s. The daemon may be stuck or overloaded, or another program holds that port; see the daemon's log.",
    "failure.token-needed":
      "the daemon wants an API token (HTTP {status}: {detail}). Give this command the daemon's token: api.token in the file passed with --config, the environment variable AUTOSTUN_API_TOKEN, or --token; or run it as the daemon's user with the daemon's dataDir (--data-dir), where the token file is.",
    "failure.token-file":
      "cannot read the API token file {file} ({code}): only the user the daemon runs as may read it. Run this command as that user (e.g. with sudo), or pass the token with --token.",
    "token-file.none":
      "No token file at {file} either: pass --data-dir (or the --config file) with the daemon's dataDir, or --token.",
    "failure.token-refused":
      "the daemon refused the API token (HTTP {status}: {detail}). Use the token the daemon runs with: api.token in its config file (pass it with --config), or AUTOSTUN_API_TOKEN.",
    "failure.throttled":
      "the daemon is busy answering wrong API tokens from this machine (HTTP 429). Wait {retryAfter} s and ask again; a request with the right token is always answered at once.",
    "failure.http":
      "it answered HTTP {status} without the status ({detail}). Check that api.listen points at AutoSTUN and not at another program.",
    "failure.network": "the request failed: {detail}. Check api.listen in the config passed with --config.",
  },
  "zh-CN": {
    tunnels: "隧道：",
    "tunnels.none": "未配置",
    "tunnel.line": "{id}：{state} — {at}（本地端口 {localPort}，{path}）",
    "tunnel.no-address": "暂无公网地址",
    "tunnel.port-not-chosen": "尚未选定",
    "tunnel.stats":
      "活动连接 {active} 个，已处理 {handled}，已拦截 {blocked}，入站 {bytesIn} 字节，出站 {bytesOut} 字节",
    "tunnel.stats-unknown": "计数未知（隧道未在转发，或内核未给出计数）",
    "udp.same": "UDP：{state} — {at}，与 TCP 同一端口",
    "udp.other": "UDP：{state} — {at}，不在 TCP 端口上：{reason}",
    "udp.off": "UDP：已关闭（隧道配置中 udp: false）",
    "downloader.line": "下载器 {kind}：{state}，{port}",
    "downloader.verified": "已验证在端口 {port} 上监听",
    "downloader.asked": "已要求使用端口 {port}，尚未验证",
    "downloader.no-port": "尚未推送端口",
    "upnp.line": "UPnP：{state}",
    "upnp.mapped": "UPnP（{protocol}）：{state}，家用路由器将 {ip}:{port} 转发到本机",
    "ipv6.line": "IPv6：对端经 [{address}]:{port} 直接连到下载器",
    "ipv6.no-address": "IPv6：下载器端口为 {port}，其 IPv6 地址未知",
    "ipv6.pinhole": "IPv6 针孔：{state}",
    "ipv6.pinhole-open": "IPv6 针孔（{protocol}）：OPEN，放行 {transports}，有效至 {until}",
    "ipv6.pinhole-open-endless": "IPv6 针孔（{protocol}）：OPEN，放行 {transports}，租期不限",
    why: "原因：{error}",
    checks: "检查：",
    "failure.head": "autostun status：向 {url} 上的守护进程查询：{why}",
    "failure.refused":
      "该地址上没有程序监听，即 AutoSTUN 没有在那里运行。请用 `autostun serve` 启动它，或用 --config 指定它所用的配置文件，使 api.listen 一致。",
    "failure.timeout":
      "{seconds} 秒内没有应答。守护进程可能卡住或负载过高，也可能是别的程序占用了该端口；请查看守护进程的日志。",
    "failure.token-needed":
      "守护进程要求 API 令牌（HTTP {status}：{detail}）。请把守护进程的令牌交给本命令：在 --config 指定的文件中设置 api.token、设置环境变量 AUTOSTUN_API_TOKEN 或使用 --token；也可以用守护进程的用户身份、配合它的 dataDir（--data-dir）运行本命令，令牌文件就在那里。",
    "failure.token-file":
      "无法读取 API 令牌文件 {file}（{code}）：只有运行守护进程的用户可以读取它。请以该用户身份运行本命令（例如用 sudo），或用 --token 给出令牌。",
    "token-file.none":
      "{file} 处也没有令牌文件：请用 --data-dir（或 --config 指定的文件）给出守护进程的 dataDir，或使用 --token。",
    "failure.token-refused":
      "守护进程拒绝了该 API 令牌（HTTP {status}：{detail}）。请使用守护进程所用的令牌：它的配置文件中的 api.token（用 --config 指定该文件），或 AUTOSTUN_API_TOKEN。",
    "failure.throttled":
      "守护进程正忙于应答来自本机的错误 API 令牌（HTTP 429）。请等待 {retryAfter} 秒后重试；带正确令牌的请求总会立即得到应答。",
    "failure.http":
      "它以 HTTP {status} 应答，但没有给出状态（{detail}）。请确认 api.listen 指向 AutoSTUN，而不是别的程序。",
    "failure.network": "请求失败：{detail}。请检查 --config 指定的配置中的 api.listen。",
  },
});
