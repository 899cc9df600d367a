import { defineCatalog } from "@autostun/plugins-api";

/** Every user-facing text of `relay.reachability`, in English and Simplified Chinese. */
export const messages = defineCatalog({
  en: {
    "summary.reached":
      "A peer reached tunnel {tunnel} through {via}: {peer} came in at {at}. Inbound connections work.",
    "summary.reached-counted":
      "Peers reached tunnel {tunnel} through {via}: the kernel had forwarded some by {at} (nftables forwarding does not record who). Inbound connections work.",
    "summary.no-tunnel": "No tunnel is configured, so there is no port for peers to reach.",
    "summary.not-open": "No tunnel is open, so peers cannot come in yet ({states}).",
    "summary.waiting.firewall":
      "Open at {addresses}, but no peer has come in yet; the host firewall check ({firewall}) is the likely reason.",
    "summary.waiting.gateway":
      "Open at {addresses}, but no peer has come in yet; the gateway's NAT type ({natType}) lets no unsolicited connection in.",
    "summary.waiting.downloader":
      "Open at {addresses}, but no peer has come in yet; firewall and NAT look right, so peers may simply not know the port.",
    "summary.with-udp": "{main} {udp}",
    "summary.udp.proven": "Over UDP (uTP, DHT), {peer} came in through {via} at {at}.",
    "summary.udp.proven-counted":
      "Over UDP (uTP, DHT), the kernel had forwarded peers through {via} by {at} (without recording who).",
    "summary.udp.waiting": "UDP (uTP, DHT) is open on the same port on tunnel {tunnel}; no UDP peer yet.",
    "summary.udp.waiting-until":
      "UDP (uTP, DHT) is open on the same port on tunnel {tunnel}; no UDP peer yet, which is normal for a while (this check warns if none came by {warnAt}).",
    "summary.udp.other-port":
      "UDP cannot be proven on tunnel {tunnel}: its UDP mapping {address} is not on the TCP public port ({reason}).",
    "summary.udp.not-open": "UDP cannot be proven on tunnel {tunnel}: its UDP side is {state} ({reason}).",
    "summary.udp-quiet":
      "Only TCP peers reach tunnel {tunnel}: {peer} came in through {via} at {at}, but no UDP (uTP, DHT) peer in the {minutes} minutes since {since}, though UDP has been open on the same port all that time.",
    "guidance.no-tunnel.title": "Add a tunnel for your downloader",
    "guidance.no-tunnel.steps": [
      'In the config file, add under `tunnels:` an entry such as `- { id: "qb", localPort: 0, target: "127.0.0.1:6881" }`, where the target is the address and port your downloader listens on for peers.',
      "Or create it in the console's Tunnels page (GraphQL `saveTunnel`); it is saved and survives a restart.",
      "Restart `autostun serve` after editing the file, then run `autostun status` to see the tunnel open and its public address.",
    ],
    "guidance.not-open.title": "Get a tunnel open first",
    "guidance.not-open.steps": [
      "Make sure the daemon is running (`autostun serve`): `autostun doctor` alone opens no tunnels.",
      "Run `autostun status` and read the reason shown beside each tunnel that is not OPEN.",
      "A FAILED tunnel usually means no `stun.tcp` server answered over TCP: check that this host can reach them, or list others in the config.",
    ],
    "guidance.firewall.title": "Let peers through the host firewall on port {port}",
    "guidance.firewall.steps": [
      "Follow the guidance of the host firewall check above: it names the rule to add for the tunnel's local port.",
      "Re-run the checks after changing the firewall; this one passes as soon as a peer comes in.",
    ],
    "guidance.gateway.title": "Make the gateway full-cone (NAT1)",
    "guidance.gateway.steps": [
      "Follow the guidance of the NAT type check above: the gateway must map and filter independently of the remote end before a port opened by STUN accepts strangers.",
      "If a second router sits behind the modem, put the modem in bridge mode or give this host the DMZ on the inner router.",
      "Re-run the checks after the change.",
    ],
    "guidance.downloader.title": "Make sure peers learn {address}",
    "guidance.downloader.steps": [
      "Check that the downloader announces port {port} to trackers and the DHT: with a downloader configured for the tunnel AutoSTUN sets it; otherwise set its listening port to {port} by hand.",
      "Keep at least one active torrent with peers: nobody connects to a port that nobody was told about.",
      "Give it a few minutes after the next tracker announce, then re-run this check.",
      "To test at once, ask a friend or an online port checker outside your network to open a TCP connection to {address}.",
    ],
    "guidance.udp-quiet.title": "Let uTP peers in through {address}",
    "guidance.udp-quiet.filtering.open":
      "The NAT type check measured UDP filtering as ENDPOINT_INDEPENDENT, so the gateway itself lets uTP in; if another router sits between it and this host, that one may still drop UDP from strangers.",
    "guidance.udp-quiet.filtering.strict":
      "The gateway may let TCP in and still drop unsolicited UDP: the NAT type check measured UDP filtering as {filtering}, and only ENDPOINT_INDEPENDENT lets strangers' datagrams in. Lower the modem's firewall or make this host its DMZ host, as for TCP.",
    "guidance.udp-quiet.filtering.unknown":
      "The gateway may let TCP in and still drop unsolicited UDP: run `autostun doctor --check nat.type` to see its UDP filtering; only ENDPOINT_INDEPENDENT lets strangers' datagrams in.",
    "guidance.udp-quiet.steps": [
      'Make sure the downloader speaks uTP: in qBittorrent, Tools → Options → Connection → "Peer connection protocol" must be "TCP and μTP", not "TCP"; in Transmission, keep "Enable µTP" ticked under Preferences → Network (`utp-enabled: true` in settings.json).',
      "Give it time: many peers open TCP first and try uTP only now and then, so a torrent with few peers can go a long while without a UDP one. Keep a busy torrent running and re-run this check later.",
      "Look at the tunnel's UDP side in the console (GraphQL `Tunnel.udp { samePort reason }`): samePort must be true with {address}; otherwise its reason says what the equal-port search tried.",
      "Let UDP in on local port {localPort} in the host firewall too: a rule for TCP alone lets no uTP or DHT datagram through.",
    ],
  },
  "zh-CN": {
    "summary.reached": "已有外部节点经 {via} 连入隧道 {tunnel}：{peer} 于 {at} 到达，入站连接正常。",
    "summary.reached-counted":
      "已有外部节点经 {via} 连入隧道 {tunnel}：截至 {at}，内核已转发过连接（nftables 转发不记录具体是哪个节点）。入站连接正常。",
    "summary.no-tunnel": "尚未配置任何隧道，外部节点没有可连入的端口。",
    "summary.not-open": "目前没有处于打开状态的隧道，外部节点还无法连入（{states}）。",
    "summary.waiting.firewall":
      "隧道已在 {addresses} 打开，但还没有节点连进来；主机防火墙检查的结果（{firewall}）最可能是原因。",
    "summary.waiting.gateway":
      "隧道已在 {addresses} 打开，但还没有节点连进来；网关的 NAT 类型（{natType}）不放行外部主动发起的连接。",
    "summary.waiting.downloader":
      "隧道已在 {addresses} 打开，但还没有节点连进来；防火墙和 NAT 看起来都没问题，可能只是别的节点还不知道这个端口。",
    "summary.with-udp": "{main}{udp}",
    "summary.udp.proven": "UDP（uTP、DHT）方面，{peer} 于 {at} 经 {via} 连入。",
    "summary.udp.proven-counted":
      "UDP（uTP、DHT）方面，截至 {at}，内核已经经 {via} 转发过节点（未记录具体是谁）。",
    "summary.udp.waiting": "隧道 {tunnel} 的 UDP（uTP、DHT）已在同一端口打开，暂时还没有 UDP 节点连入。",
    "summary.udp.waiting-until":
      "隧道 {tunnel} 的 UDP（uTP、DHT）已在同一端口打开，暂时还没有 UDP 节点连入，一段时间内这很正常（若到 {warnAt} 仍没有，本检查会给出警告）。",
    "summary.udp.other-port":
      "无法验证隧道 {tunnel} 的 UDP：它的 UDP 映射 {address} 与 TCP 公网端口不一致（{reason}）。",
    "summary.udp.not-open": "无法验证隧道 {tunnel} 的 UDP：它的 UDP 端处于 {state} 状态（{reason}）。",
    "summary.udp-quiet":
      "隧道 {tunnel} 只有 TCP 节点连入：{peer} 于 {at} 经 {via} 连入，但自 {since} 起的 {minutes} 分钟里没有任何 UDP（uTP、DHT）节点，尽管这段时间 UDP 一直在同一端口打开。",
    "guidance.no-tunnel.title": "为下载器添加一条隧道",
    "guidance.no-tunnel.steps": [
      '在配置文件的 `tunnels:` 下加一项，例如 `- { id: "qb", localPort: 0, target: "127.0.0.1:6881" }`，其中 target 填下载器接收节点连接的地址和端口。',
      "也可以在控制台的“隧道”页面（GraphQL `saveTunnel`）里创建，保存后重启也不会丢失。",
      "修改配置文件后重启 `autostun serve`，再用 `autostun status` 确认隧道已打开，并查看它的公网地址。",
    ],
    "guidance.not-open.title": "先让隧道打开",
    "guidance.not-open.steps": [
      "确认守护进程正在运行（`autostun serve`）：单独执行 `autostun doctor` 不会打开隧道。",
      "执行 `autostun status`，查看每条未处于 OPEN 状态的隧道旁边给出的原因。",
      "隧道显示 FAILED，多半是没有任何 `stun.tcp` 服务器通过 TCP 回应：请确认本机能访问这些服务器，或在配置里换用其他服务器。",
    ],
    "guidance.firewall.title": "在主机防火墙上为端口 {port} 放行",
    "guidance.firewall.steps": [
      "按上面“主机防火墙”检查给出的指引操作，那里写明了要为隧道本地端口添加哪条规则。",
      "改完防火墙后重新运行检查；只要有节点连进来，本项就会通过。",
    ],
    "guidance.gateway.title": "让网关成为全锥形 NAT（NAT1）",
    "guidance.gateway.steps": [
      "按上面“NAT 类型”检查给出的指引操作：只有网关的映射和过滤都与对端无关，STUN 打开的端口才会接受陌生节点的连接。",
      "如果光猫后面还有一台路由器，请把光猫改成桥接模式，或在内层路由器上把本机设为 DMZ 主机。",
      "改完后重新运行检查。",
    ],
    "guidance.downloader.title": "确保其他节点知道 {address}",
    "guidance.downloader.steps": [
      "确认下载器向 Tracker 和 DHT 公布的是端口 {port}：隧道配置了下载器时由 AutoSTUN 自动设置，否则请手动把下载器的监听端口改成 {port}。",
      "至少保持一个有其他节点的活动种子：没人知道的端口，自然也不会有人来连。",
      "等下一次向 Tracker 汇报后再过几分钟，然后重新运行本检查。",
      "想马上验证，可以请网络之外的朋友或在线端口检测工具向 {address} 发起一次 TCP 连接。",
    ],
    "guidance.udp-quiet.title": "让 uTP 节点经 {address} 连入",
    "guidance.udp-quiet.filtering.open":
      "NAT 类型检查测得的 UDP 过滤行为是 ENDPOINT_INDEPENDENT，网关本身会放行 uTP；如果它和本机之间还有一台路由器，那台仍可能丢弃陌生节点的 UDP。",
    "guidance.udp-quiet.filtering.strict":
      "网关可能放行 TCP 却丢弃外部主动发来的 UDP：NAT 类型检查测得的 UDP 过滤行为是 {filtering}，只有 ENDPOINT_INDEPENDENT 才会放陌生节点的数据报进来。请像处理 TCP 一样调低光猫防火墙等级，或把本机设为光猫的 DMZ 主机。",
    "guidance.udp-quiet.filtering.unknown":
      "网关可能放行 TCP 却丢弃外部主动发来的 UDP：运行 `autostun doctor --check nat.type` 查看它的 UDP 过滤行为；只有 ENDPOINT_INDEPENDENT 才会放陌生节点的数据报进来。",
    "guidance.udp-quiet.steps": [
      "确认下载器启用了 uTP：qBittorrent 在“工具 → 选项 → 连接”中，把“对等连接协议”设为“TCP 和 μTP”，而不是只有“TCP”；Transmission 在“首选项 → 网络”中保持勾选“启用 µTP”（settings.json 中为 `utp-enabled: true`）。",
      "多等一会儿：很多节点会先尝试 TCP，只是偶尔才用 uTP，节点少的种子可能很久都等不到一个 UDP 节点。保持一个节点多的种子在运行，稍后再运行本检查。",
      "在控制台查看隧道的 UDP 端（GraphQL `Tunnel.udp { samePort reason }`）：samePort 应为 true，地址应为 {address}；否则 reason 会说明同端口搜索尝试了什么。",
      "在主机防火墙上也为本地端口 {localPort} 放行 UDP：只放行 TCP 的规则挡住了所有 uTP 和 DHT 数据报。",
    ],
  },
});
