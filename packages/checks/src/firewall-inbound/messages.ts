import { defineCatalog } from "@autostun/plugins-api";

/** Text of `firewall.inbound`. `{port}` is the tunnel's local port P on this host. */
export const messages = defineCatalog({
  en: {
    "summary.pass": "Inbound TCP to port {port} is accepted by this host's firewall ({layers}).",
    "summary.pass.unfiltered": "Inbound TCP to port {port} is accepted: this host has no filtering rules.",
    "summary.pass.no-tool":
      "No firewall tool (nft, iptables, ufw, firewalld) is installed, so nothing on this host filters inbound connections: port {port} needs no rule here. If peers still cannot connect, they are stopped elsewhere (the router, or the machine this container runs on).",
    "summary.fail": "This host's firewall blocks inbound TCP to port {port}: {reason}.",
    "summary.unreadable":
      "The firewall rules could not be read ({why}); whether port {port} is admitted is unknown.",
    "summary.mac-unknown":
      "The macOS firewall is on and has no decision for this program yet; inbound TCP to port {port} may be dropped.",
    "guidance.title": "Allow inbound TCP to port {port}, and only that port",
    "step.why-fixed":
      "Port {port} is the tunnel's local port on this host. The public port on the router may change, but on this host it is always {port}, so one narrow rule is enough; there is no need to turn the firewall off.",
    "step.ufw": "ufw is managing the firewall. Run: `sudo {command}`",
    "step.firewalld": "firewalld is managing the firewall. Run: `sudo {command}`",
    "step.nftables":
      "Insert an accept rule for the port at the top of the chain that drops it: `sudo {command}`. To keep it after a reboot, add `tcp dport {port} accept` near the top of the same chain in /etc/nftables.conf.",
    "step.iptables":
      "Insert an accept rule for the port at the top of INPUT: `sudo {command}`. To keep it after a reboot, save the rules (e.g. `sudo netfilter-persistent save` or `iptables-save > /etc/iptables/rules.v4`).",
    "step.dsm":
      "Synology DSM: Control Panel → Security → Firewall → Edit Rules (of the profile in use) → Create → Ports: Custom, Protocol TCP, Port {port} → Action: Allow → OK. Move the new rule above any Deny rule, repeat for each network interface the NAS uses, then Apply.",
    "step.windows":
      "In an administrator PowerShell or Command Prompt run: `{command}`. It admits TCP port {port} for our program only; Windows shows it as 'AutoSTUN {port}' in Windows Defender Firewall → Advanced settings → Inbound Rules.",
    "step.mac":
      "Allow our program in the macOS application firewall: `sudo {command}` (or System Settings → Network → Firewall → Options → add the program and choose 'Allow incoming connections').",
    "step.mac-blockall":
      "'Block all incoming connections' is on, which overrides every per-app rule: turn it off in System Settings → Network → Firewall → Options, keeping the firewall itself on.",
    "step.risk":
      "Admit only this one port. Do not disable the firewall or switch it to allow everything: a host that used to sit behind NAT would be open to the scans that hit every internet address all day. Keep the downloader's web UI, SSH, SMB and NAS admin ports closed to outside traffic.",
    "step.remedy":
      "Or let AutoSTUN add exactly this rule for you (needs administrator rights); it can be removed again the same way.",
    "step.unreadable":
      "Run AutoSTUN with administrator rights so it can read the rules, or check them yourself: `sudo nft list ruleset`, `sudo iptables -S INPUT`, `sudo ufw status verbose`, `sudo firewall-cmd --list-all`.",
    "guidance.unreadable.title": "Let AutoSTUN read the firewall rules",
    "remedy.allow.title": "Allow inbound TCP to port {port}",
    "remedy.allow.description":
      "Adds one rule admitting new TCP connections to port {port} on this host and nothing else. Anyone on the internet can then connect to whatever listens on {port} (the tunnel does).",
    "remedy.remove.title": "Remove the firewall rules AutoSTUN added",
    "remedy.remove.description":
      "Deletes the rules marked 'autostun' ({count}); inbound TCP to their ports is blocked again.",
    "remedy.needs-root":
      "Changing the firewall needs administrator rights and AutoSTUN is not running with them. Run these yourself: {commands}",
    "remedy.dsm":
      "DSM rewrites its firewall from Control Panel settings, so AutoSTUN does not change it; follow the DSM steps in the guidance.",
    "remedy.nothing": "Nothing to do: inbound TCP to port {port} is already accepted.",
    "remedy.nothing-to-remove": "No rules marked 'autostun' were found.",
    "remedy.done": "Done: {commands}",
    "remedy.failed": "Command failed: {command}: {reason}",
    "remedy.unknown": "Unknown remedy '{id}'.",
  },
  "zh-CN": {
    "summary.pass": "本机防火墙允许 TCP 入站连接到端口 {port}（{layers}）。",
    "summary.pass.unfiltered": "本机没有过滤规则，TCP 入站连接可以到达端口 {port}。",
    "summary.pass.no-tool":
      "本机没有安装任何防火墙工具（nft、iptables、ufw、firewalld），因此本机不会过滤入站连接，端口 {port} 无需在这里添加规则。如果对端仍然连不进来，拦截发生在别处（路由器，或运行这个容器的宿主机）。",
    "summary.fail": "本机防火墙阻止了到端口 {port} 的 TCP 入站连接：{reason}。",
    "summary.unreadable": "无法读取防火墙规则（{why}），不确定端口 {port} 是否放行。",
    "summary.mac-unknown":
      "macOS 防火墙已开启，但尚未对本程序作出允许或阻止的决定，到端口 {port} 的 TCP 入站连接可能被丢弃。",
    "guidance.title": "只放行 TCP 端口 {port} 的入站连接",
    "step.why-fixed":
      "端口 {port} 是隧道在本机上的本地端口。路由器上的公网端口可能会变，但在本机上它始终是 {port}，所以一条精确的规则就够了，无需关闭防火墙。",
    "step.ufw": "本机防火墙由 ufw 管理，请执行：`sudo {command}`",
    "step.firewalld": "本机防火墙由 firewalld 管理，请执行：`sudo {command}`",
    "step.nftables":
      "在丢弃该端口的链的最前面插入一条放行规则：`sudo {command}`。如需重启后仍生效，请在 /etc/nftables.conf 中同一条链的靠前位置加上 `tcp dport {port} accept`。",
    "step.iptables":
      "在 INPUT 链最前面插入放行规则：`sudo {command}`。如需重启后仍生效，请保存规则（例如 `sudo netfilter-persistent save` 或 `iptables-save > /etc/iptables/rules.v4`）。",
    "step.dsm":
      "群晖 DSM：控制面板 → 安全性 → 防火墙 → 编辑规则（当前使用的配置文件）→ 新增 → 端口：自定义，协议 TCP，端口 {port} → 操作：允许 → 确定。把新规则移到所有“拒绝”规则之前，对 NAS 使用的每个网络接口都这样设置，然后点“应用”。",
    "step.windows":
      "在管理员身份的 PowerShell 或命令提示符中执行：`{command}`。它只为本程序放行 TCP 端口 {port}，在“Windows Defender 防火墙 → 高级设置 → 入站规则”中显示为“AutoSTUN {port}”。",
    "step.mac":
      "在 macOS 应用防火墙中允许本程序：`sudo {command}`（或在 系统设置 → 网络 → 防火墙 → 选项 中添加本程序并选择“允许传入连接”）。",
    "step.mac-blockall":
      "“阻止所有传入连接”已开启，它会覆盖所有单独的应用规则：请在 系统设置 → 网络 → 防火墙 → 选项 中关闭它，同时保持防火墙本身开启。",
    "step.risk":
      "只放行这一个端口。不要关闭防火墙，也不要改成全部允许：原本躲在 NAT 后面的设备会直接暴露在互联网上，每时每刻都有扫描在试探。下载器的网页管理界面、SSH、SMB 和 NAS 管理端口要继续对外关闭。",
    "step.remedy": "也可以让 AutoSTUN 替你添加这条规则（需要管理员权限），之后可用同样的方式删除。",
    "step.unreadable":
      "请以管理员权限运行 AutoSTUN 以便读取规则，或自行查看：`sudo nft list ruleset`、`sudo iptables -S INPUT`、`sudo ufw status verbose`、`sudo firewall-cmd --list-all`。",
    "guidance.unreadable.title": "让 AutoSTUN 能读取防火墙规则",
    "remedy.allow.title": "放行到端口 {port} 的 TCP 入站连接",
    "remedy.allow.description":
      "添加一条规则，只允许新的 TCP 连接进入本机端口 {port}，不放行其他任何端口。此后互联网上任何人都能连接在 {port} 上监听的程序（即隧道）。",
    "remedy.remove.title": "删除 AutoSTUN 添加的防火墙规则",
    "remedy.remove.description":
      "删除标记为“autostun”的规则（{count} 条），这些端口的 TCP 入站连接将重新被阻止。",
    "remedy.needs-root": "修改防火墙需要管理员权限，而 AutoSTUN 当前没有。请自行执行：{commands}",
    "remedy.dsm":
      "DSM 会根据控制面板中的设置重写防火墙，因此 AutoSTUN 不直接修改它；请按指引中的 DSM 步骤操作。",
    "remedy.nothing": "无需操作：到端口 {port} 的 TCP 入站连接已被允许。",
    "remedy.nothing-to-remove": "没有找到标记为“autostun”的规则。",
    "remedy.done": "已完成：{commands}",
    "remedy.failed": "命令执行失败：{command}：{reason}",
    "remedy.unknown": "未知的修复项“{id}”。",
  },
});
