import { defineCatalog } from "@autostun/plugins-api";

/**
 * Text of `antivirus.hints`. `allow.<product>` says where in that product to let the program and its
 * port in; `{program}` is the executable running AutoSTUN and `{port}` the tunnel's local port(s).
 */
export const messages = defineCatalog({
  en: {
    "summary.none": "No security software that filters network traffic was found.",
    "summary.scanners-only": "Found {names}: they scan files and do not filter inbound connections.",
    "summary.found":
      "Found {names}, which can take over the firewall and silently drop peers' inbound connections.",
    "summary.unreadable": "Security software could not be listed here: {problem}.",
    "guidance.title": "Let AutoSTUN through your security software",
    "guidance.intro":
      "These products filter traffic on top of (or instead of) the system firewall, so a port the system firewall allows can still be dropped. Allow only our program and only TCP port {port}; do not switch the product's protection off.",
    "guidance.finish":
      "Re-run the checks. If NAT type is still not NAT1, temporarily pause the product's firewall for one test: if it then passes, the product's rule is not right yet.",
    "allow.kaspersky":
      "Kaspersky: Settings → Security settings → Firewall → Applications: find {program} and set it to Trusted (or allow its network rule); under Packet rules add an inbound Allow rule for TCP local port {port}.",
    "allow.eset":
      "ESET: Setup → Network protection → Firewall → Configure… → Rules → Add: direction In, action Allow, protocol TCP, local port {port}, application {program}.",
    "allow.norton":
      "Norton: Settings → Firewall → Program Rules: add {program} with access Allow; in Traffic Rules add an inbound Allow rule for TCP port {port} above the block rules.",
    "allow.mcafee":
      "McAfee / Trellix: Firewall → Ports and system services → Add: TCP, incoming, port {port}; then under Internet connections for programs give {program} full access.",
    "allow.huorong":
      "Huorong (火绒): Protection Center → Network protection → IP protocol control: add a rule allowing inbound TCP to local port {port}; and add {program} to the Trust zone.",
    "allow.tencent":
      "Tencent PC Manager (电脑管家): add {program} to the Trust zone (信任区) and, in its firewall/network protection, allow it to accept inbound connections on TCP port {port}.",
    "allow.qihoo360":
      "360 Security: add {program} to the Trust zone (信任区), and in Network security / Traffic firewall allow it to accept inbound connections on TCP port {port}.",
    "allow.bitdefender":
      "Bitdefender: Protection → Firewall → Settings → Rules → Add rule: application {program}, permission Allow, direction Inbound, protocol TCP, local port {port}.",
    "allow.avast":
      "Avast: Protection → Firewall → Application settings: set {program} to Allow; if the network profile is Public, add a rule allowing inbound TCP port {port}.",
    "allow.avg":
      "AVG: Enhanced Firewall → Settings → Application rules: set {program} to Allow; if the network profile is Public, add a rule allowing inbound TCP port {port}.",
    "allow.crowdstrike":
      "CrowdStrike Falcon is managed centrally: ask your administrator to add an inbound allow rule for TCP port {port} to this host's Firewall Management policy and to confirm the host is not network-contained.",
    "allow.sentinelone":
      "SentinelOne is managed centrally: ask your administrator to allow inbound TCP port {port} for {program} in the Firewall Control policy of this endpoint's group.",
    "allow.sophos":
      "Sophos: in Sophos Central (or the local firewall settings) add an inbound allow rule for TCP port {port} for {program}.",
    "allow.trendmicro":
      "Trend Micro: in the firewall policy of this computer add an inbound allow rule for TCP port {port}.",
    "allow.opensnitch":
      "OpenSnitch: open the OpenSnitch UI → Rules → New: action allow, duration always, process path {program}, destination port {port}.",
    "allow.portmaster":
      "Portmaster: open the app's settings for {program} and enable 'Allow incoming connections' (it is blocked by default).",
    "allow.littlesnitch":
      "Little Snitch: open Little Snitch → Rules and add an Allow rule for incoming connections to {program} on TCP port {port}.",
    "allow.lulu":
      "LuLu: open LuLu → Rules and make sure {program} is allowed (LuLu filters outbound; inbound is left to the macOS firewall).",
    "allow.generic":
      "{name}: in its firewall or network protection settings, allow {program} and inbound TCP port {port}.",
  },
  "zh-CN": {
    "summary.none": "未发现会过滤网络流量的安全软件。",
    "summary.scanners-only": "发现 {names}：它们只扫描文件，不会拦截入站连接。",
    "summary.found": "发现 {names}，它们可能接管防火墙，悄悄丢弃其他用户发来的入站连接。",
    "summary.unreadable": "无法列出本机的安全软件：{problem}。",
    "guidance.title": "在安全软件中放行 AutoSTUN",
    "guidance.intro":
      "这些软件在系统防火墙之上（或代替系统防火墙）过滤流量，即使系统防火墙已放行，端口仍可能被它们拦截。只放行本程序和 TCP 端口 {port} 即可，不要关闭软件的防护。",
    "guidance.finish":
      "重新运行检查。如果 NAT 类型仍不是 NAT1，可临时暂停该软件的防火墙做一次测试：若随即通过，说明软件里的规则还没配对。",
    "allow.kaspersky":
      "卡巴斯基：设置 → 安全设置 → 防火墙 → 应用程序：找到 {program}，设为“受信任”（或允许其网络规则）；在数据包规则中添加一条允许入站 TCP 本地端口 {port} 的规则。",
    "allow.eset":
      "ESET：设置 → 网络保护 → 防火墙 → 配置… → 规则 → 添加：方向“入”，操作“允许”，协议 TCP，本地端口 {port}，应用程序 {program}。",
    "allow.norton":
      "诺顿：设置 → 防火墙 → 程序规则：添加 {program}，访问设为“允许”；在流量规则中把允许入站 TCP 端口 {port} 的规则放在阻止规则之前。",
    "allow.mcafee":
      "迈克菲 / Trellix：防火墙 → 端口和系统服务 → 添加：TCP、入站、端口 {port}；再在“程序的 Internet 连接”中给 {program} 完全访问权限。",
    "allow.huorong":
      "火绒：防护中心 → 网络防护 → IP 协议控制：添加规则，允许入站 TCP 到本地端口 {port}；并把 {program} 加入信任区。",
    "allow.tencent":
      "腾讯电脑管家：把 {program} 加入信任区，并在其防火墙/网络防护设置中允许它在 TCP 端口 {port} 上接受入站连接。",
    "allow.qihoo360":
      "360 安全卫士：把 {program} 加入信任区，并在网络安全/流量防火墙中允许它在 TCP 端口 {port} 上接受入站连接。",
    "allow.bitdefender":
      "Bitdefender：防护 → 防火墙 → 设置 → 规则 → 添加规则：应用程序 {program}，权限“允许”，方向“入站”，协议 TCP，本地端口 {port}。",
    "allow.avast":
      "Avast：防护 → 防火墙 → 应用程序设置：把 {program} 设为“允许”；若网络配置为“公用”，再添加一条允许入站 TCP 端口 {port} 的规则。",
    "allow.avg":
      "AVG：增强防火墙 → 设置 → 应用程序规则：把 {program} 设为“允许”；若网络配置为“公用”，再添加一条允许入站 TCP 端口 {port} 的规则。",
    "allow.crowdstrike":
      "CrowdStrike Falcon 由管理员集中管理：请管理员在本机的防火墙管理策略中添加允许入站 TCP 端口 {port} 的规则，并确认本机没有被网络隔离。",
    "allow.sentinelone":
      "SentinelOne 由管理员集中管理：请管理员在本终端所在组的防火墙控制策略中，为 {program} 放行入站 TCP 端口 {port}。",
    "allow.sophos":
      "Sophos：在 Sophos Central（或本地防火墙设置）中为 {program} 添加允许入站 TCP 端口 {port} 的规则。",
    "allow.trendmicro": "趋势科技：在本机的防火墙策略中添加允许入站 TCP 端口 {port} 的规则。",
    "allow.opensnitch":
      "OpenSnitch：打开 OpenSnitch 界面 → 规则 → 新建：动作“允许”，时长“始终”，进程路径 {program}，目标端口 {port}。",
    "allow.portmaster": "Portmaster：打开 {program} 的应用设置，启用“允许入站连接”（默认是阻止的）。",
    "allow.littlesnitch":
      "Little Snitch：打开 Little Snitch → 规则，为 {program} 添加一条允许 TCP 端口 {port} 入站连接的规则。",
    "allow.lulu":
      "LuLu：打开 LuLu → 规则，确认 {program} 已被允许（LuLu 只管出站，入站由 macOS 防火墙负责）。",
    "allow.generic": "{name}：在其防火墙或网络防护设置中放行 {program} 以及入站 TCP 端口 {port}。",
  },
});
