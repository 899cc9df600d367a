import { defineCatalog } from "@autostun/plugins-api";

/** Every user-facing text of `upnp.gateway`, in English and Simplified Chinese. */
export const messages = defineCatalog({
  en: {
    "summary.pass":
      "The home router at {gateway} ({protocol}) maps ports to this host ({host}): a test mapping of port {port} went through and was removed. Its WAN address is {externalIp}.",
    "summary.pass-no-ip":
      "The home router at {gateway} ({protocol}) maps ports to this host ({host}): a test mapping of port {port} went through and was removed. It did not say its WAN address.",
    "summary.pass-live":
      "The home router at {gateway} ({protocol}) maps ports to this host ({host}): it holds tunnel {tunnel}'s mapping of port {port}, {lease}, so no test mapping was made. Its WAN address is {externalIp}.",
    "summary.pass-live-no-ip":
      "The home router at {gateway} ({protocol}) maps ports to this host ({host}): it holds tunnel {tunnel}'s mapping of port {port}, {lease}, so no test mapping was made. It did not say its WAN address.",
    "summary.with-pinholes": "{main} IPv6 pinholes: {pinholes}.",
    // A router may grant a lease without an end (0 seconds): then there is no date to name.
    "lease.until": "leased until {at}",
    "lease.endless": "with a lease that has no end",
    "summary.off":
      "UPnP is switched off in AutoSTUN's config (upnp.enabled: false), so no router was asked and tunnels are not mapped on one.",
    "summary.none":
      "No router on this host's network answered UPnP IGD, PCP or NAT-PMP ({tried}). If a router sits between this host and the modem, peers cannot get past it.",
    "summary.search-failed":
      "AutoSTUN could not send its search for a home router on this host's network, so whether one is there is unknown: {searchError}. PCP and NAT-PMP found none either ({tried}).",
    "summary.refused":
      "The home router at {gateway} ({protocol}) answered but refused to map a test port ({port}) to this host: {error}",
    "summary.no-answer":
      "The home router at {gateway} ({protocol}) was found but did not carry out a test mapping of port {port}: {error}",
    "summary.second-nat.private":
      "The home router at {gateway} maps ports, but its own WAN address {externalIp} is a private one: another NAT (usually the modem in router mode) sits beyond it.",
    "summary.second-nat.cgnat":
      "The home router at {gateway} maps ports, but its own WAN address {externalIp} is in the carrier-grade NAT range 100.64.0.0/10: another NAT sits beyond it, possibly the ISP's.",
    "guidance.off.title": "Let AutoSTUN use your home router",
    "guidance.off.steps": [
      'If a router sits between this computer and the modem, set `upnp: { enabled: "auto" }` in the config file and reload it (`systemctl reload autostun`, or SIGHUP to the process): AutoSTUN then maps each tunnel\'s port on the router and removes the mapping when the tunnel stops.',
      "If this computer is plugged straight into the modem (or is the modem's DMZ host already), nothing is needed here.",
    ],
    "guidance.none.title": "Open the way through your home router",
    "guidance.none.steps": [
      "If this computer is plugged straight into the modem, there is no router to map on and this warning can be ignored.",
      "Otherwise, open the router's admin page and switch UPnP (sometimes called UPnP IGD, NAT-PMP or PCP) on, then run the checks again.",
      "If the router has no UPnP, give this computer a fixed address on it (DHCP reservation or IP/MAC binding) and make that address the router's DMZ host.",
      "What was tried: {tried}",
    ],
    "guidance.search-failed.title": "Let AutoSTUN look for the router",
    "guidance.search-failed.steps": [
      "The search is a UDP message from this host to 239.255.255.250 port 1900 (SSDP); this host refused to send it: {searchError}",
      "EPERM or EACCES: a firewall on this host (nftables, iptables, ufw, firewalld) blocks outgoing UDP to 239.255.255.250:1900. Allow it, and UDP to the router's port 5351 for PCP and NAT-PMP.",
      "ENETUNREACH or EHOSTUNREACH: this host has no route for it; check that the network connection is up (`ip route` lists a default route). In a Docker container on a bridge network, multicast does not reach the router: use the host network.",
      "If you know the router's UPnP address, set `upnp.descriptionUrl` (e.g. http://192.168.1.1:5000/rootDesc.xml) and no search is needed. Then run the checks again.",
    ],
    "guidance.refused.title": "Allow this computer to map ports on the router",
    "guidance.refused.steps": [
      "On the router's admin page, make sure UPnP port mapping is allowed for this computer ({host}), not only switched on: some routers keep a list of devices or port ranges that may map.",
      "If the router cannot be made to allow it, give this computer a fixed address (DHCP reservation or IP/MAC binding) and make it the router's DMZ host instead.",
      "The router's own words: {error}",
      "Run the checks again after the change.",
    ],
    "guidance.no-answer.title": "Get the router's UPnP answering",
    "guidance.no-answer.steps": [
      "Restart the router, or switch its UPnP off and on again: a router that announces itself but does not answer mapping requests is often stuck.",
      "If it keeps failing, make this computer the router's DMZ host (with a fixed address for it) instead of relying on UPnP.",
      "What happened: {error}",
    ],
    "guidance.second-nat.title": "Remove the second NAT in front of the router",
    "guidance.second-nat.steps": [
      "Check whether the modem works as a router: plug a computer straight into it; if that computer gets online by itself, the modem is in router mode.",
      "Best: ask the ISP (or use the modem's settings) to put the modem in bridge mode, so the home router dials the connection itself and holds the outer address.",
      "Otherwise, on the modem: set its firewall to low, switch its UPnP on, and make the home router's WAN address ({externalIp}) the modem's DMZ host.",
      "Run the checks again; the NAT type check then shows whether the whole path is full-cone (NAT1).",
    ],
  },
  "zh-CN": {
    "summary.with-pinholes": "{main} IPv6 针孔：{pinholes}。",
    "summary.pass":
      "位于 {gateway} 的家用路由器（{protocol}）可以把端口映射到本机（{host}）：端口 {port} 的测试映射已成功并已删除。它的 WAN 地址是 {externalIp}。",
    "summary.pass-no-ip":
      "位于 {gateway} 的家用路由器（{protocol}）可以把端口映射到本机（{host}）：端口 {port} 的测试映射已成功并已删除。它没有告知自己的 WAN 地址。",
    "summary.pass-live":
      "位于 {gateway} 的家用路由器（{protocol}）可以把端口映射到本机（{host}）：它正为隧道 {tunnel} 保持端口 {port} 的映射，{lease}，因此无需再做测试映射。它的 WAN 地址是 {externalIp}。",
    "summary.pass-live-no-ip":
      "位于 {gateway} 的家用路由器（{protocol}）可以把端口映射到本机（{host}）：它正为隧道 {tunnel} 保持端口 {port} 的映射，{lease}，因此无需再做测试映射。它没有告知自己的 WAN 地址。",
    "lease.until": "租期到 {at}",
    "lease.endless": "租期没有期限",
    "summary.off":
      "AutoSTUN 配置中关闭了 UPnP（upnp.enabled: false），因此没有询问任何路由器，隧道的端口也不会在路由器上映射。",
    "summary.none":
      "本机所在网络中没有路由器回应 UPnP IGD、PCP 或 NAT-PMP（{tried}）。如果本机和光猫之间还有一台路由器，外部节点会被挡在它那里。",
    "summary.search-failed":
      "AutoSTUN 无法在本机所在网络中发出查找家用路由器的请求，因此无法确定是否存在路由器：{searchError}。PCP 和 NAT-PMP 也没有找到（{tried}）。",
    "summary.refused":
      "位于 {gateway} 的家用路由器（{protocol}）有回应，但拒绝把测试端口 {port} 映射到本机：{error}",
    "summary.no-answer":
      "找到了位于 {gateway} 的家用路由器（{protocol}），但它没有完成端口 {port} 的测试映射：{error}",
    "summary.second-nat.private":
      "位于 {gateway} 的家用路由器可以映射端口，但它自己的 WAN 地址 {externalIp} 是私有地址：它外面还有一层 NAT（通常是处于路由模式的光猫）。",
    "summary.second-nat.cgnat":
      "位于 {gateway} 的家用路由器可以映射端口，但它自己的 WAN 地址 {externalIp} 属于运营商级 NAT 地址段 100.64.0.0/10：它外面还有一层 NAT，可能就是运营商的。",
    "guidance.off.title": "让 AutoSTUN 使用你的家用路由器",
    "guidance.off.steps": [
      '如果本机和光猫之间有一台路由器，请在配置文件中设置 `upnp: { enabled: "auto" }` 并重新加载配置（`systemctl reload autostun`，或向进程发送 SIGHUP）：之后 AutoSTUN 会为每条隧道在路由器上映射端口，隧道停止时再删除映射。',
      "如果本机直接接在光猫上（或者已经是光猫的 DMZ 主机），这里无需任何操作。",
    ],
    "guidance.none.title": "在家用路由器上为本机打开通路",
    "guidance.none.steps": [
      "如果本机直接接在光猫上，就没有需要映射的路由器，可以忽略这条提示。",
      "否则请打开路由器的管理页面，开启 UPnP（有时叫 UPnP IGD、NAT-PMP 或 PCP），然后重新运行检查。",
      "如果路由器不支持 UPnP，请在路由器上给本机分配固定地址（DHCP 静态分配或 IP/MAC 绑定），并把这个地址设为路由器的 DMZ 主机。",
      "已尝试的方式：{tried}",
    ],
    "guidance.search-failed.title": "让 AutoSTUN 能够查找路由器",
    "guidance.search-failed.steps": [
      "查找请求是本机发往 239.255.255.250 端口 1900 的 UDP 报文（SSDP）；本机拒绝发送它：{searchError}",
      "EPERM 或 EACCES：本机的防火墙（nftables、iptables、ufw、firewalld）拦截了发往 239.255.255.250:1900 的出站 UDP。请放行它，同时放行发往路由器 5351 端口的 UDP（PCP 和 NAT-PMP 使用）。",
      "ENETUNREACH 或 EHOSTUNREACH：本机没有可用的路由；请确认网络连接正常（`ip route` 中有默认路由）。如果在 Docker 容器的 bridge 网络中运行，组播到达不了路由器：请改用 host 网络。",
      "如果知道路由器的 UPnP 地址，可设置 `upnp.descriptionUrl`（例如 http://192.168.1.1:5000/rootDesc.xml），这样就不需要查找。然后重新运行检查。",
    ],
    "guidance.refused.title": "允许本机在路由器上映射端口",
    "guidance.refused.steps": [
      "在路由器管理页面确认不仅开启了 UPnP，而且允许本机（{host}）映射端口：有些路由器只允许名单内的设备或端口范围映射。",
      "如果路由器无法放行，请给本机分配固定地址（DHCP 静态分配或 IP/MAC 绑定），改为把本机设为路由器的 DMZ 主机。",
      "路由器给出的原因：{error}",
      "修改后重新运行检查。",
    ],
    "guidance.no-answer.title": "让路由器的 UPnP 正常响应",
    "guidance.no-answer.steps": [
      "重启路由器，或把它的 UPnP 关闭后再打开：能被发现却不响应映射请求的路由器，往往是 UPnP 服务卡住了。",
      "如果一直失败，请给本机分配固定地址并设为路由器的 DMZ 主机，不再依赖 UPnP。",
      "发生的情况：{error}",
    ],
    "guidance.second-nat.title": "去掉路由器外面的第二层 NAT",
    "guidance.second-nat.steps": [
      "先确认光猫是否工作在路由模式：用一台电脑直接接光猫，如果这台电脑自己就能上网，光猫就是路由模式。",
      "最好的做法：请运营商（或在光猫设置里）把光猫改为桥接模式，由家用路由器自己拨号并拿到外层地址。",
      "否则请在光猫上：把防火墙等级调到低，开启 UPnP，并把家用路由器的 WAN 地址（{externalIp}）设为光猫的 DMZ 主机。",
      "改完后重新运行检查；NAT 类型检查会显示整条链路是否为全锥形（NAT1）。",
    ],
  },
});
