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
      "{main} The downloader's port is not known (no tunnel reports it and no port is configured for this check), so its listener and this host's firewall were not checked.",
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
    "summary.swarm-proof":
      "IPv6 peers reach the downloader: {address} ({client}) connected in over IPv6, first seen {when} ({count} incoming IPv6 peer(s) so far).",
    "summary.host-firewall":
      "This host's own firewall drops unsolicited inbound IPv6 to port {port}: {reasons}.",
    "summary.pinhole-waiting":
      "Pinhole open, no IPv6 peer has come in yet: the router at {gateway} holds a pinhole for {address} port {port}, so its {filtering} filtering no longer stands in the way of that port; the swarm has not shown an incoming IPv6 peer so far.",
    "summary.client-setting-ipv4":
      "The downloader listens on IPv4 only ({setting}), so IPv6 peers cannot connect to port {port}.",
    "summary.udp-ipv4-only":
      "TCP on port {port} accepts IPv6, but its UDP socket is bound to {bound} only: uTP peers and the DHT cannot reach it over IPv6.",
    "guidance.host-firewall.title": "Let inbound IPv6 to port {port} through this host's firewall",
    "guidance.host-firewall.why":
      "Port {port} is where the downloader takes peers over IPv6. One rule for that port, TCP and UDP, is all it needs; keep the rest of the firewall as it is.",
    "guidance.host-firewall.manual":
      "Open port {port} for TCP and UDP over IPv6 in the firewall's own settings (on Synology DSM: Control Panel → Security → Firewall → Edit Rules), above any rule that denies it.",
    "guidance.host-firewall.command": "Run as root: `{command}`",
    "guidance.host-firewall.remedy":
      "Or let AutoSTUN insert exactly these rules (marked with the comment autostun) after you confirm.",
    "guidance.pinhole.title": "Wait for an IPv6 peer to come in",
    "guidance.pinhole.steps": [
      "Keep a torrent with peers running: the proof is a peer that connects in to port {port} over IPv6, as the downloader's peer list shows it.",
      "If none comes in over hours, check that the router really forwards the pinhole (some routers accept the request and keep dropping).",
    ],
    "guidance.client.remedy":
      "Let AutoSTUN change the downloader's setting ({setting}) through its API so it also listens on IPv6.",
    "guidance.client.setting":
      "The downloader's API cannot change this: set {setting} so it listens on every address (or on IPv6 too), in its settings or its config file.",
    "guidance.swarm.title": "No incoming IPv6 peer seen yet",
    "guidance.swarm.undirected":
      "The downloader has {count} IPv6 peer(s) but does not say who connected to whom, so they prove nothing about inbound.",
    "guidance.swarm.none":
      "None of the downloader's peers has connected in over IPv6 yet; the path looks open, proof comes with the first one.",
    "remedy.allow.title": "Allow inbound IPv6 to port {port} (TCP and UDP)",
    "remedy.allow.description":
      "Inserts rules admitting new IPv6 connections and datagrams to port {port} on this host and nothing else. Anyone on the internet can then reach what listens there (the downloader).",
    "remedy.listen.title": "Have the downloader listen on IPv6",
    "remedy.listen.description":
      "Changes the downloader's setting {setting} through its API so it accepts peers over IPv6 as well as IPv4.",
    "remedy.done": "Done: {commands}",
    "remedy.listen.done": "The downloader now listens on IPv6 too; run the check again to confirm.",
    "remedy.failed": "Command failed: {command}: {reason}",
    "remedy.listen.failed": "The downloader refused the change: {reason}",
    "remedy.needs-root":
      "Changing the firewall needs administrator rights and AutoSTUN is not running with them. Run these yourself: {commands}",
    "remedy.nothing": "Nothing to do: inbound IPv6 to port {port} is already accepted.",
    "remedy.no-port": "The downloader's port is not known, so there is no rule to add.",
    "remedy.no-tunnel": "No tunnel with a downloader is known, so there is no client to change.",
    "remedy.unknown": "Unknown remedy '{id}'.",
    "summary.router-masked":
      "The router's IPv6 filtering is unknown: from {address}, the STUN servers' unsolicited answers were dropped by this host's own firewall before the router could be judged (UDP to the probes' ports, e.g. {port}: {layer}).",
    "guidance.port-unknown":
      "The downloader's port is not known: no tunnel reports it and `plugins.config[\"@autostun/check-ipv6-reachability\"].port` is not set, so its listener and this host's firewall for it were not checked.",
    "guidance.masked.title": "Measure the router past this host's firewall",
    "guidance.masked.steps": [
      "This host's firewall drops unsolicited IPv6 UDP to its ephemeral ports, which is what the probes listen on; that is a sound default, it only hides the router from the measurement.",
      "Proof comes from the swarm instead: once a peer connects in over IPv6 to the downloader's port, this check passes.",
    ],
    "guidance.router.title": "Let inbound IPv6 through the router's firewall",
    "guidance.router.steps.first":
      'Open the modem\'s or router\'s settings page and find its IPv6 firewall (often under Security, called "IPv6 firewall", "IPv6 session filter" or a firewall level).',
    "guidance.router.steps.port":
      "Where it allows rules, add one letting inbound TCP and UDP to {address} port {port} (the downloader's peer port) through; otherwise turn the IPv6 firewall off or set it to its lowest level.",
    "guidance.router.steps.any":
      "Where it allows rules, add one letting inbound TCP and UDP to {address} on the downloader's peer port through; otherwise turn the IPv6 firewall off or set it to its lowest level.",
    "guidance.router.steps.last": [
      "Or let AutoSTUN open a pinhole for exactly this port: set `upnp.enabled` to true (the router must offer UPnP IGD v2 or PCP); while the pinhole is open this check waits for the first IPv6 peer.",
      "Make sure the downloader listens on IPv6 too (all addresses, not 0.0.0.0 only), or no opening helps.",
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
    "summary.open.port-unchecked":
      "{main}不知道下载器的端口（没有隧道报告它，本检查也没有配置端口），因此未检查它的监听和本机防火墙。",
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
    "summary.swarm-proof":
      "IPv6 节点能连到下载器：{address}（{client}）通过 IPv6 主动连入，首次发现于 {when}（目前共有 {count} 个 IPv6 入站节点）。",
    "summary.host-firewall": "本机自身的防火墙丢弃了发往端口 {port} 的外部主动 IPv6 入站流量：{reasons}。",
    "summary.pinhole-waiting":
      "针孔已打开，但还没有 IPv6 节点连入：{gateway} 处的路由器为 {address} 端口 {port} 保留了针孔，因此其 {filtering} 过滤不再挡住这个端口；下载器的节点列表里暂时还没有 IPv6 入站节点。",
    "summary.client-setting-ipv4": "下载器只在 IPv4 上监听（{setting}），IPv6 节点无法连接端口 {port}。",
    "summary.udp-ipv4-only":
      "端口 {port} 的 TCP 接受 IPv6，但它的 UDP 套接字只绑定在 {bound} 上：uTP 节点和 DHT 无法通过 IPv6 到达。",
    "guidance.host-firewall.title": "让发往端口 {port} 的 IPv6 入站流量通过本机防火墙",
    "guidance.host-firewall.why":
      "端口 {port} 是下载器通过 IPv6 接受节点连接的端口。只需为这个端口的 TCP 和 UDP 各加一条规则，防火墙的其余部分保持不变。",
    "guidance.host-firewall.manual":
      "在防火墙自己的设置中为 IPv6 放行端口 {port} 的 TCP 和 UDP（群晖 DSM：控制面板 → 安全性 → 防火墙 → 编辑规则），并放在所有拒绝该端口的规则之前。",
    "guidance.host-firewall.command": "以 root 身份执行：`{command}`",
    "guidance.host-firewall.remedy": "也可以在你确认后，由 AutoSTUN 插入这些规则（带有注释 autostun）。",
    "guidance.pinhole.title": "等待 IPv6 节点连入",
    "guidance.pinhole.steps": [
      "保持一个有节点的种子在运行：证据是下载器节点列表中出现一个通过 IPv6 主动连入端口 {port} 的节点。",
      "如果几个小时都没有节点连入，请确认路由器确实放行了该针孔（有些路由器接受请求却依旧丢弃流量）。",
    ],
    "guidance.client.remedy": "让 AutoSTUN 通过下载器的接口修改设置（{setting}），使其同时在 IPv6 上监听。",
    "guidance.client.setting":
      "下载器的接口无法修改此项：请在它的设置或配置文件中修改 {setting}，让它监听所有地址（或同时监听 IPv6）。",
    "guidance.swarm.title": "尚未看到 IPv6 入站节点",
    "guidance.swarm.undirected":
      "下载器有 {count} 个 IPv6 节点，但没有说明连接由哪一方发起，因此无法据此证明入站可达。",
    "guidance.swarm.none":
      "下载器的节点中还没有通过 IPv6 主动连入的；通路看起来是通的，第一个连入的节点就是证据。",
    "remedy.allow.title": "放行发往端口 {port} 的 IPv6 入站流量（TCP 和 UDP）",
    "remedy.allow.description":
      "插入规则，只允许新的 IPv6 连接和数据报进入本机端口 {port}，不放行其他端口。此后互联网上任何人都能访问在该端口监听的程序（即下载器）。",
    "remedy.listen.title": "让下载器在 IPv6 上监听",
    "remedy.listen.description": "通过下载器的接口修改设置 {setting}，使其同时通过 IPv4 和 IPv6 接受节点。",
    "remedy.done": "已完成：{commands}",
    "remedy.listen.done": "下载器现在也在 IPv6 上监听了；请重新运行本检查确认。",
    "remedy.failed": "命令执行失败：{command}：{reason}",
    "remedy.listen.failed": "下载器拒绝了此修改：{reason}",
    "remedy.needs-root": "修改防火墙需要管理员权限，而 AutoSTUN 当前没有。请自行执行：{commands}",
    "remedy.nothing": "无需操作：发往端口 {port} 的 IPv6 入站流量已被允许。",
    "remedy.no-port": "不知道下载器的端口，因此没有可添加的规则。",
    "remedy.no-tunnel": "没有已知的带下载器的隧道，因此没有可修改的客户端。",
    "remedy.unknown": "未知的修复项“{id}”。",
    "summary.router-masked":
      "路由器的 IPv6 过滤行为未知：从 {address} 测试时，STUN 服务器主动发来的应答在判断路由器之前就被本机自身的防火墙丢弃了（发往探测端口的 UDP，例如 {port}：{layer}）。",
    "guidance.port-unknown":
      '不知道下载器的端口：没有隧道报告它，也没有设置 `plugins.config["@autostun/check-ipv6-reachability"].port`，因此未检查它的监听和本机防火墙对它的处理。',
    "guidance.masked.title": "越过本机防火墙测量路由器",
    "guidance.masked.steps": [
      "本机防火墙丢弃发往临时端口的外部主动 IPv6 UDP，而探测正是在这些端口上等待应答；这是合理的默认设置，只是让测量看不到路由器。",
      "改由节点来证明：一旦有节点通过 IPv6 主动连入下载器的端口，本检查就会通过。",
    ],
    "guidance.router.title": "让入站 IPv6 通过路由器的防火墙",
    "guidance.router.steps.first":
      "打开光猫或路由器的管理页面，找到 IPv6 防火墙（通常在“安全”菜单下，名称可能是“IPv6 防火墙”“IPv6 会话过滤”或防火墙等级）。",
    "guidance.router.steps.port":
      "如果可以添加规则，就添加一条放行发往 {address} 端口 {port}（下载器的节点端口）的 TCP 和 UDP 入站规则；否则关闭 IPv6 防火墙或把它调到最低等级。",
    "guidance.router.steps.any":
      "如果可以添加规则，就添加一条放行发往 {address} 上下载器节点端口的 TCP 和 UDP 入站规则；否则关闭 IPv6 防火墙或把它调到最低等级。",
    "guidance.router.steps.last": [
      "也可以让 AutoSTUN 只为这个端口开一个针孔：把 `upnp.enabled` 设为 true（路由器需支持 UPnP IGD v2 或 PCP）；针孔打开后，本检查会等待第一个 IPv6 节点连入。",
      "确认下载器也在 IPv6 上监听（所有地址，而不只是 0.0.0.0），否则打开什么都没用。",
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
