import { defineCatalog } from "@autostun/plugins-api";

/** Every user-facing text of `ipv6.reachability`, in English and Simplified Chinese. */
export const messages = defineCatalog({
  en: {
    "summary.not-linux": "IPv6 reachability is only judged on Linux for now.",
    "summary.unreadable": "Could not read this host's IPv6 setup: {reason}",
    "summary.no-address": "This host has no global IPv6 address, so peers cannot reach it over IPv6.",
    "summary.no-route":
      "This host has the global IPv6 address {address} but no IPv6 default route, so IPv6 goes nowhere.",
    "summary.open":
      "The router lets unsolicited inbound IPv6 in: from {address}, the STUN servers {servers} reached this host from addresses it had not contacted (filtering ENDPOINT_INDEPENDENT).",
    "summary.open.port-unchecked":
      "{main} Whether the downloader listens on IPv6 was not checked: no port is configured for this check.",
    "summary.router-firewall":
      "The router's IPv6 firewall drops unsolicited inbound traffic: answers from addresses {address} had not contacted never arrived (filtering {filtering}, measured with {servers}). IPv6 peers cannot connect to this host.",
    "summary.client-ipv4-only":
      "Nothing accepts IPv6 connections on port {port}: the listener there is bound to {bound} only, so IPv6 peers are refused even though the path is open.",
    "summary.client-absent":
      "Nothing listens for TCP on port {port}, on IPv4 or IPv6: is the downloader running?",
    "summary.no-servers":
      "The router's IPv6 filtering is unknown: no `stun.udp` servers are configured to measure it from {address}.",
    "summary.unmeasured":
      "The router's IPv6 filtering is unknown: none of the `stun.udp` servers answered over IPv6 from {address}, so whether inbound IPv6 is let in could not be measured.",
    "summary.undecided":
      "The router's IPv6 filtering is unknown: {servers} answered over IPv6 from {address}, but too few answers came back to tell whether unsolicited inbound traffic gets in.",
    "guidance.router.title": "Let inbound IPv6 through the router's firewall",
    "guidance.router.steps.first":
      'Open the modem\'s or router\'s settings page and find its IPv6 firewall (often under Security, called "IPv6 firewall", "IPv6 session filter" or a firewall level).',
    "guidance.router.steps.port":
      "Where it allows rules, add one letting inbound TCP and UDP to {address} port {port} (the downloader's peer port) through; otherwise turn the IPv6 firewall off or set it to its lowest level.",
    "guidance.router.steps.any":
      "Where it allows rules, add one letting inbound TCP and UDP to {address} on the downloader's peer port through; otherwise turn the IPv6 firewall off or set it to its lowest level.",
    "guidance.router.steps.last": [
      "AutoSTUN cannot open this firewall for you yet: it does not open IPv6 pinholes on the router in this version.",
      "Re-run `autostun doctor --check ipv6.reachability` after the change; it passes once the STUN servers' unsolicited answers get in.",
    ],
    "guidance.client.title": "Make the downloader listen on IPv6 on port {port}",
    "guidance.client.steps": [
      'In qBittorrent, open Tools → Options → Advanced and set "Optional IP address to bind to" to "All addresses" (or "All IPv6 addresses") and "Network interface" to "Any interface".',
      "In Transmission, stop the daemon, set `bind-address-ipv6` to `::` in settings.json, then start it again.",
      "Run `ss -ltn` afterwards: port {port} must show as `[::]:{port}` or `*:{port}`, not only `0.0.0.0:{port}`.",
    ],
    "guidance.client-absent.title": "Start the downloader",
    "guidance.client-absent.steps": [
      'Start the downloader and make sure its peer port is {port}; this check\'s config (`plugins.config["@autostun/check-ipv6-reachability"].port`) names the port it looks at.',
      "Re-run `autostun doctor --check ipv6.reachability`.",
    ],
    "guidance.unknown.title": "Measure the router's IPv6 filtering",
    "guidance.unknown.steps": [
      "List under `stun.udp` at least one STUN server that answers over IPv6 and supports RFC 5780 (it must have a second address), e.g. one you run yourself with `autostun stun-server`.",
      "Make sure this host can send UDP over IPv6 at all: `ping -6` a known IPv6 host.",
      "Re-run `autostun doctor --check ipv6.reachability`.",
    ],
  },
  "zh-CN": {
    "summary.not-linux": "目前只在 Linux 上判断 IPv6 可达性。",
    "summary.unreadable": "无法读取本机的 IPv6 配置：{reason}",
    "summary.no-address": "本机没有全局 IPv6 地址，外部节点无法通过 IPv6 连入。",
    "summary.no-route": "本机有全局 IPv6 地址 {address}，但没有 IPv6 默认路由，IPv6 流量出不去。",
    "summary.open":
      "路由器放行外部主动发起的 IPv6 入站流量：从 {address} 测试时，STUN 服务器 {servers} 从本机未曾联系过的地址发来的应答也能到达（过滤行为 ENDPOINT_INDEPENDENT）。",
    "summary.open.port-unchecked": "{main}未检查下载器是否在 IPv6 上监听：本检查没有配置端口。",
    "summary.router-firewall":
      "路由器的 IPv6 防火墙丢弃了外部主动发来的流量：{address} 未曾联系过的地址发来的应答全部没有到达（过滤行为 {filtering}，用 {servers} 测得）。IPv6 节点无法连入本机。",
    "summary.client-ipv4-only":
      "端口 {port} 上没有程序接受 IPv6 连接：该端口的监听只绑定在 {bound} 上，即使通路是通的，IPv6 节点也会被拒绝。",
    "summary.client-absent": "端口 {port} 上没有任何 TCP 监听（IPv4 和 IPv6 都没有）：下载器在运行吗？",
    "summary.no-servers": "路由器的 IPv6 过滤行为未知：没有配置 `stun.udp` 服务器，无法从 {address} 测量。",
    "summary.unmeasured":
      "路由器的 IPv6 过滤行为未知：从 {address} 出发，`stun.udp` 中没有任何服务器通过 IPv6 应答，因此无法测出入站 IPv6 是否被放行。",
    "summary.undecided":
      "路由器的 IPv6 过滤行为未知：{servers} 通过 IPv6 应答了 {address}，但收到的应答太少，无法判断外部主动发来的流量能否进入。",
    "guidance.router.title": "让入站 IPv6 通过路由器的防火墙",
    "guidance.router.steps.first":
      "打开光猫或路由器的管理页面，找到 IPv6 防火墙（通常在“安全”菜单下，名称可能是“IPv6 防火墙”“IPv6 会话过滤”或防火墙等级）。",
    "guidance.router.steps.port":
      "如果可以添加规则，就添加一条放行发往 {address} 端口 {port}（下载器的节点端口）的 TCP 和 UDP 入站规则；否则关闭 IPv6 防火墙或把它调到最低等级。",
    "guidance.router.steps.any":
      "如果可以添加规则，就添加一条放行发往 {address} 上下载器节点端口的 TCP 和 UDP 入站规则；否则关闭 IPv6 防火墙或把它调到最低等级。",
    "guidance.router.steps.last": [
      "AutoSTUN 目前还不能替你打开这道防火墙：当前版本不会在路由器上开 IPv6 针孔。",
      "修改后重新运行 `autostun doctor --check ipv6.reachability`；只要 STUN 服务器主动发来的应答能进来，本项就会通过。",
    ],
    "guidance.client.title": "让下载器在端口 {port} 上监听 IPv6",
    "guidance.client.steps": [
      "qBittorrent：打开“工具 → 选项 → 高级”，把“绑定到可选的 IP 地址”设为“所有地址”（或“所有 IPv6 地址”），把“网络接口”设为“任意接口”。",
      "Transmission：先停止守护进程，在 settings.json 里把 `bind-address-ipv6` 设为 `::`，再重新启动。",
      "之后运行 `ss -ltn`：端口 {port} 应显示为 `[::]:{port}` 或 `*:{port}`，而不只是 `0.0.0.0:{port}`。",
    ],
    "guidance.client-absent.title": "启动下载器",
    "guidance.client-absent.steps": [
      '启动下载器，并确认它的节点端口是 {port}；本检查查看的端口由配置项 `plugins.config["@autostun/check-ipv6-reachability"].port` 指定。',
      "重新运行 `autostun doctor --check ipv6.reachability`。",
    ],
    "guidance.unknown.title": "测量路由器的 IPv6 过滤行为",
    "guidance.unknown.steps": [
      "在 `stun.udp` 中至少列出一个能通过 IPv6 应答、并支持 RFC 5780（需要有第二个地址）的 STUN 服务器，例如用 `autostun stun-server` 自建一个。",
      "确认本机能通过 IPv6 发送 UDP：用 `ping -6` 测试一个已知的 IPv6 主机。",
      "重新运行 `autostun doctor --check ipv6.reachability`。",
    ],
  },
});
