import { defineCatalog } from "@autostun/plugins-api";

/**
 * Guidance for nat.type and network.public-ip. The steps follow the user guide's troubleshooting order:
 * what the ISP offers, the optical modem (router or bridge mode), the home router (DMZ, UPnP), then
 * reconnect and retest.
 */
export const messages = defineCatalog({
  en: {
    "nat.summary.NAT1":
      "NAT1 (full cone) for UDP, and TCP mappings keep their port: AutoSTUN can open a port here",
    "nat.summary.NAT1_TCP_BAD":
      "UDP is NAT1, but TCP mappings are {tcpMapping}: a port opened over TCP would not reach BitTorrent peers",
    "nat.summary.NAT1_TCP_UNKNOWN": "UDP is NAT1; TCP could not be tested (no TCP STUN server answered)",
    "nat.summary.NAT2": "NAT2 (restricted cone): only hosts you contacted first may send to you",
    "nat.summary.NAT3": "NAT3 (port-restricted cone): only the exact host and port you contacted may answer",
    "nat.summary.NAT4": "NAT4 (symmetric): each destination gets a different public port",
    "nat.summary.OPEN": "No NAT: this host holds its public address {publicIp}",
    "nat.summary.UDP_BLOCKED": "No STUN server answered over UDP; TCP mapping: {tcpMapping}",
    "nat.summary.OPEN.no-ip": "No NAT: STUN servers see this host's own address",
    "nat.summary.UNKNOWN": "The NAT type could not be determined: {reason}",
    "nat.summary.NO_SERVERS": "No STUN server answered over UDP or TCP",
    "nat.reason.no-behaviour": "no server could run RFC 5780 behaviour tests, so filtering is unknown",
    "nat.reason.mapping-unknown": "the mapping could not be compared across servers",
    "nat.reason.udp-silence-too-short":
      "no UDP answer to {sent} datagrams, too few to tell blocked UDP from a very lossy path",
    "nat.reason.filtering-inconclusive":
      "the filtering tests lost too many answers ({answered} of {sent} UDP datagrams answered) to tell filtering from loss",
    "nat.reason.mapping-inconclusive":
      "the mapping tests went unanswered ({answered} of {sent} UDP datagrams answered)",
    "nat.reason.servers-disagree": "the STUN servers measured different mappings, so none of them is trusted",

    "nat.fix.title": "Get NAT1 from your line and your devices",
    "nat.fix.steps": [
      "Check what your ISP offers: China Telecom and China Unicom home broadband usually give NAT1 (some even a public IP); China Mobile, IoT SIM cards and mobile data give NAT3/NAT4, and no setting at home changes that.",
      "Find out what the optical modem does: plug a computer straight into it with a cable. If that computer gets online, the modem routes (router mode); if not, it only bridges and your own router dials the connection.",
      "Modem in router mode: in its admin page set the firewall level to Low, turn UPnP on, and make the device behind it (your router, or this computer) its DMZ host.",
      "Modem in bridge mode: in your router give this computer a fixed address (DHCP reservation or IP/MAC binding), set that address as the DMZ host, and turn UPnP on.",
      "Two routers in a row (double NAT) each filter: set the inner one to bridge/access-point mode, or make it the DMZ host of the outer one.",
      "Disconnect and redial the broadband (or restart the modem) so the NAT forgets old mappings, then run: autostun doctor --check nat.type",
    ],
    "nat.symmetric.title": "Your public port changes with every destination",
    "nat.symmetric.steps": [
      "A symmetric NAT is usually the ISP's carrier-grade NAT, a mobile network, or a router set to randomise ports. Ask your ISP whether NAT1 (or a public IP) is available on your plan.",
      "If the ISP gives NAT1 to the modem, check each device below it: modem firewall level Low, UPnP on, your router (or this computer) as the modem's DMZ host.",
      "In your own router, turn off options such as 'symmetric NAT', 'port randomisation' or 'strict NAT' if it has them, and set this computer as its DMZ host.",
      "Disconnect and redial (or restart the modem), then run: autostun doctor --check nat.type",
    ],
    "nat.tcp.title": "Make TCP mappings keep their port",
    "nat.tcp.steps": [
      "BitTorrent peers connect over TCP, so a UDP-only NAT1 is not enough: the device doing NAT rewrites TCP ports per connection.",
      "Set this computer (or your router) as the DMZ host of the optical modem, and this computer as the DMZ host of your router.",
      "Turn UPnP on in the modem and the router, and disable any 'TCP port randomisation' or 'strict NAT' option.",
      "Disconnect and redial (or restart the modem), then run: autostun doctor --check nat.type",
    ],
    "nat.open.title": "You do not need AutoSTUN",
    "nat.open.steps": [
      "This host has a public address: open your downloader's listening port in the host firewall (for example: ufw allow 6881/tcp) and set that port in the downloader.",
      "If a router sits in front with the same public address, forward the port to this host there instead.",
    ],
    "nat.udp-blocked.title": "UDP does not get out",
    "nat.udp-blocked.steps": [
      "Check that this host's firewall allows outgoing UDP (the firewall.inbound check shows the host's rules).",
      "Check the router and modem for options that block UDP or 'games/VoIP', and turn them off.",
      "Some company, school and hotel networks block UDP; there, only the TCP result counts.",
      "Then run: autostun doctor --check nat.type",
    ],
    "nat.lossy.title": "The path loses too many packets for a sure answer",
    "nat.lossy.steps": [
      "AutoSTUN repeats the deciding tests when answers go missing, and says UNKNOWN rather than guess: a missing answer may be the NAT filtering or a lost packet.",
      "Test over a cable instead of Wi-Fi, and pause large downloads or uploads while testing.",
      "If it stays this way, the line itself drops packets: check the modem's signal and cabling, or ask your ISP.",
      "Then run: autostun doctor --check nat.type",
    ],
    "nat.unknown.title": "Make the test possible",
    "nat.unknown.steps": [
      "Check that this host can reach the internet.",
      "Check the STUN servers in your config (stun.udp and stun.tcp); the facts list each one and why it was skipped. Servers that support RFC 5780 (OTHER-ADDRESS) are needed to test filtering.",
      "Then run: autostun doctor --check nat.type",
    ],

    "vantage.summary.this-host":
      "The STUN server runs on this host (it saw us at {seen}), so this says nothing about the NAT between you and the internet",
    "vantage.summary.private-network":
      "The STUN servers saw this host at {seen} ({kind}): they are not on the internet, so this says nothing about the NAT between you and the internet",
    "vantage.title": "Test against STUN servers on the internet",
    "vantage.steps": [
      "A STUN server on this host or inside your own network only sees the inside address. Peers come from the internet, so the NAT type and the public address can only be measured from there.",
      "List STUN servers on the internet under stun.udp and stun.tcp in your config, or delete those keys to use the built-in list.",
      "Then run: autostun doctor --check nat.type --check network.public-ip",
    ],

    "ip.summary.behind-nat.local-unknown":
      "Behind NAT: the internet sees {publicIp}; this host's own address could not be read",
    "kind.public": "public",
    "kind.private": "private",
    "kind.cgnat": "carrier-grade NAT",
    "kind.loopback": "loopback",
    "kind.link-local": "link-local",
    "kind.reserved": "reserved",

    "ip.summary.public-interface": "This host has the public IPv4 address {ip} on {iface}",
    "ip.summary.mapped-local":
      "The address STUN servers see ({ip}) is this host's own: there is no NAT in between",
    "ip.summary.behind-nat": "Behind NAT: this host is {localIp} ({localKind}), the internet sees {publicIp}",
    "ip.summary.cgnat": "This host is on a carrier-grade NAT address ({ip}); the internet sees {publicIp}",
    "ip.summary.unknown": "The public address is unknown: no STUN server answered",
    "ip.public.title": "Use ordinary port forwarding instead of AutoSTUN",
    "ip.public.steps": [
      "With a public IPv4 address, peers can reach you directly; AutoSTUN's user-space forwarding would only add load.",
      "Open your downloader's listening port in the host firewall, for example: ufw allow 6881/tcp (or firewall-cmd --permanent --add-port=6881/tcp && firewall-cmd --reload).",
      "If a router is in front of this host, forward that port to this host in the router.",
    ],
    "ip.unknown.title": "Let AutoSTUN learn your public address",
    "ip.unknown.steps": [
      "Check that this host can reach the internet.",
      "Check the STUN servers in your config (stun.udp and stun.tcp); the nat.type facts list why each was skipped.",
      "Then run: autostun doctor --check network.public-ip",
    ],
  },
  "zh-CN": {
    "nat.summary.NAT1": "UDP 为 NAT1（全锥形），TCP 映射也保持端口不变：可以用 AutoSTUN 打开端口",
    "nat.summary.NAT1_TCP_BAD":
      "UDP 是 NAT1，但 TCP 映射为 {tcpMapping}：通过 TCP 打开的端口无法让 BT 对端连进来",
    "nat.summary.NAT1_TCP_UNKNOWN": "UDP 是 NAT1；TCP 无法测试（没有 TCP STUN 服务器应答）",
    "nat.summary.NAT2": "NAT2（限制锥形）：只有你先联系过的主机才能发来数据",
    "nat.summary.NAT3": "NAT3（端口限制锥形）：只有你联系过的那个主机和端口才能回应",
    "nat.summary.NAT4": "NAT4（对称型）：每个目标地址都会分到不同的公网端口",
    "nat.summary.OPEN": "没有 NAT：本机直接持有公网地址 {publicIp}",
    "nat.summary.UDP_BLOCKED": "没有 STUN 服务器通过 UDP 应答；TCP 映射：{tcpMapping}",
    "nat.summary.OPEN.no-ip": "没有 NAT：STUN 服务器看到的就是本机自己的地址",
    "nat.summary.UNKNOWN": "无法判断 NAT 类型：{reason}",
    "nat.summary.NO_SERVERS": "没有任何 STUN 服务器通过 UDP 或 TCP 应答",
    "nat.reason.no-behaviour": "没有服务器支持 RFC 5780 行为测试，过滤行为未知",
    "nat.reason.mapping-unknown": "无法在多个服务器之间比较映射",
    "nat.reason.udp-silence-too-short":
      "发出的 {sent} 个 UDP 数据包都没有应答，但数量太少，分不清是 UDP 被屏蔽还是线路严重丢包",
    "nat.reason.filtering-inconclusive":
      "过滤测试丢失的应答太多（{sent} 个 UDP 数据包只有 {answered} 个得到应答），分不清是 NAT 过滤还是丢包",
    "nat.reason.mapping-inconclusive":
      "映射测试没有得到应答（{sent} 个 UDP 数据包只有 {answered} 个得到应答）",
    "nat.reason.servers-disagree": "各 STUN 服务器测到的映射互相矛盾，因此一个都不采信",

    "nat.fix.title": "让线路和设备给出 NAT1",
    "nat.fix.steps": [
      "先确认运营商能提供什么：中国电信、中国联通的家庭宽带通常是 NAT1（部分地区甚至有公网 IP）；中国移动、物联网卡和手机流量只有 NAT3/NAT4，家里怎么设置都改变不了。",
      "弄清光猫的工作方式：用网线把电脑直接接到光猫上。电脑能上网，说明光猫在做路由（路由模式）；不能上网，说明光猫只做桥接，由你自己的路由器拨号。",
      "光猫是路由模式：在光猫管理页面把防火墙等级调到“低”，打开 UPnP，并把它后面的设备（你的路由器或这台电脑）设为 DMZ 主机。",
      "光猫是桥接模式：在路由器里给这台电脑固定地址（DHCP 静态分配或 IP/MAC 绑定），把这个地址设为 DMZ 主机，并打开 UPnP。",
      "如果串联了两台路由器（双重 NAT），每一层都会过滤：把里面那台改成桥接/AP 模式，或在外面那台里把它设为 DMZ 主机。",
      "断开宽带重新拨号（或重启光猫），让 NAT 清掉旧映射，然后运行：autostun doctor --check nat.type",
    ],
    "nat.symmetric.title": "公网端口随目标地址变化",
    "nat.symmetric.steps": [
      "对称型 NAT 通常来自运营商的大内网（CGNAT）、移动网络，或开启了端口随机化的路由器。请询问运营商你的套餐能否提供 NAT1 或公网 IP。",
      "如果运营商给光猫的是 NAT1，就逐级检查下面的设备：光猫防火墙等级调低、打开 UPnP、把路由器（或这台电脑）设为光猫的 DMZ 主机。",
      "在自己的路由器里关闭“对称 NAT”“端口随机化”“严格 NAT”之类的选项（如果有），并把这台电脑设为 DMZ 主机。",
      "断开重新拨号（或重启光猫），然后运行：autostun doctor --check nat.type",
    ],
    "nat.tcp.title": "让 TCP 映射保持端口不变",
    "nat.tcp.steps": [
      "BT 对端通过 TCP 连入，只有 UDP 是 NAT1 还不够：做 NAT 的设备在为每个 TCP 连接改写端口。",
      "把这台电脑（或你的路由器）设为光猫的 DMZ 主机，再把这台电脑设为路由器的 DMZ 主机。",
      "在光猫和路由器上打开 UPnP，并关闭“TCP 端口随机化”或“严格 NAT”之类的选项。",
      "断开重新拨号（或重启光猫），然后运行：autostun doctor --check nat.type",
    ],
    "nat.open.title": "你不需要 AutoSTUN",
    "nat.open.steps": [
      "本机有公网地址：在本机防火墙放行下载器的监听端口（例如：ufw allow 6881/tcp），并在下载器里使用这个端口。",
      "如果前面还有一台使用同一公网地址的路由器，就在路由器上把这个端口转发到本机。",
    ],
    "nat.udp-blocked.title": "UDP 出不去",
    "nat.udp-blocked.steps": [
      "检查本机防火墙是否允许 UDP 出站（firewall.inbound 检查会列出本机规则）。",
      "检查路由器和光猫里是否有屏蔽 UDP 或“游戏/语音”的选项，把它关掉。",
      "有些公司、学校、酒店网络会屏蔽 UDP，在那里只看 TCP 的结果。",
      "然后运行：autostun doctor --check nat.type",
    ],
    "nat.lossy.title": "线路丢包太多，无法得出可靠结论",
    "nat.lossy.steps": [
      "应答缺失时，AutoSTUN 会重复关键测试；仍无法确定时宁可显示 UNKNOWN 也不猜测：缺失的应答可能是 NAT 过滤掉的，也可能只是丢包。",
      "改用网线而不是 Wi-Fi 测试，测试期间暂停大流量的下载和上传。",
      "如果一直如此，说明线路本身在丢包：检查光猫信号和网线，或者联系运营商。",
      "然后运行：autostun doctor --check nat.type",
    ],
    "nat.unknown.title": "让测试能够进行",
    "nat.unknown.steps": [
      "确认本机能访问互联网。",
      "检查配置里的 STUN 服务器（stun.udp 和 stun.tcp）；详情里列出了每个服务器被跳过的原因。测试过滤行为需要支持 RFC 5780（OTHER-ADDRESS）的服务器。",
      "然后运行：autostun doctor --check nat.type",
    ],

    "vantage.summary.this-host":
      "STUN 服务器就运行在本机上（它看到的地址是 {seen}），因此这个结果无法说明你和互联网之间的 NAT",
    "vantage.summary.private-network":
      "STUN 服务器看到的本机地址是 {seen}（{kind}）：它们不在互联网上，因此这个结果无法说明你和互联网之间的 NAT",
    "vantage.title": "改用互联网上的 STUN 服务器测试",
    "vantage.steps": [
      "本机或你自己网络里的 STUN 服务器只能看到内网地址。对端来自互联网，NAT 类型和公网地址只能从互联网那一侧测出来。",
      "在配置文件的 stun.udp 和 stun.tcp 中填写互联网上的 STUN 服务器，或者删掉这两项以使用内置列表。",
      "然后运行：autostun doctor --check nat.type --check network.public-ip",
    ],

    "ip.summary.behind-nat.local-unknown": "位于 NAT 之后：外网看到的是 {publicIp}；无法读取本机自己的地址",
    "kind.public": "公网地址",
    "kind.private": "私有地址",
    "kind.cgnat": "运营商级 NAT 地址",
    "kind.loopback": "环回地址",
    "kind.link-local": "链路本地地址",
    "kind.reserved": "保留地址",

    "ip.summary.public-interface": "本机在 {iface} 上有公网 IPv4 地址 {ip}",
    "ip.summary.mapped-local": "STUN 服务器看到的地址（{ip}）就是本机地址：中间没有 NAT",
    "ip.summary.behind-nat": "位于 NAT 之后：本机地址 {localIp}（{localKind}），外网看到的是 {publicIp}",
    "ip.summary.cgnat": "本机处于运营商级 NAT 地址（{ip}）上；外网看到的是 {publicIp}",
    "ip.summary.unknown": "公网地址未知：没有 STUN 服务器应答",
    "ip.public.title": "请直接使用端口转发，而不是 AutoSTUN",
    "ip.public.steps": [
      "有公网 IPv4 时，对端可以直接连到你；AutoSTUN 的用户态转发只会增加负担。",
      "在本机防火墙放行下载器的监听端口，例如：ufw allow 6881/tcp（或 firewall-cmd --permanent --add-port=6881/tcp && firewall-cmd --reload）。",
      "如果本机前面有路由器，在路由器上把这个端口转发到本机。",
    ],
    "ip.unknown.title": "让 AutoSTUN 获知你的公网地址",
    "ip.unknown.steps": [
      "确认本机能访问互联网。",
      "检查配置里的 STUN 服务器（stun.udp 和 stun.tcp）；nat.type 的详情里列出了每个服务器被跳过的原因。",
      "然后运行：autostun doctor --check network.public-ip",
    ],
  },
});
