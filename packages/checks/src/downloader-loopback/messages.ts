import { defineCatalog } from "@autostun/plugins-api";

/** Every user-facing text of `downloader.loopback`, in English and Simplified Chinese. */
export const messages = defineCatalog({
  en: {
    "summary.none":
      "No tunnel has a downloader configured, so there is nothing to check. AutoSTUN cannot tell your client the public port until one is set.",
    "summary.loopback":
      "{client} answers at {url} on this host's loopback and accepts the credentials of tunnel {tunnel}.",
    "summary.this-host":
      "{client} answers at {url}, one of this host's own addresses, and accepts the credentials of tunnel {tunnel}.",
    "summary.remote":
      "{client} answers at {url}, which is not this host ({addresses}). Peers forwarded to it lose their real addresses.",
    "summary.unreachable": "{kind} does not answer at {url} (tunnel {tunnel}): {error}",
    "summary.credentials": "{kind} at {url} refused the user name or password of tunnel {tunnel}: {error}",
    "summary.credentials-api-key": "{kind} at {url} refused the API key of tunnel {tunnel}: {error}",
    "summary.unsupported": "{kind} at {url} (tunnel {tunnel}) cannot be used: {error}",
    "summary.more": "{summary} ({count} downloaders checked; the others are listed in the facts.)",
    "summary.not-retried":
      "{summary} AutoSTUN did not log in again: {by} met this refusal with these same settings at {at}, and each further failed login brings a ban of this host closer (qBittorrent bans an address for an hour after 5 failures by default).",
    "by.push": "the tunnel's port push",
    "by.probe": "an earlier run of this check",
    "guidance.not-retried.steps": [
      "This check does not try refused settings again by itself. To try again, correct the settings and save the tunnel (console, or `tunnels[].downloader` in the config file and a reload): changed settings are tried at once, by the push and by the next run of this check.",
      'If you fixed it on the client\'s side instead (its password, user or API key), ask the tunnel to push again ("Push the port again" on tunnel {tunnel} in the dashboard, GraphQL `pushDownloaderPort(id: "{tunnel}")`, or a restart of the tunnel), then run the checks again.',
    ],
    "guidance.none.title": "Let AutoSTUN talk to your downloader",
    "guidance.none.steps": [
      'Add a `downloader` to the tunnel in the config file, e.g. `downloader: { kind: "qbittorrent", url: "http://127.0.0.1:8080", username: "admin", password: "…" }` (kinds: qbittorrent, transmission, deluge, aria2).',
      "Or pick one of the clients the console found running on this host (GraphQL `discoveredDownloaders`) and save the tunnel with it.",
      "Without it, set the client's listening port to the tunnel's public port by hand every time it changes.",
    ],
    "guidance.unreachable.title": "Get {kind} answering at {url}",
    "guidance.unreachable.steps": [
      "Make sure the client is running and its remote control is switched on: qBittorrent's Web UI (Options → Web UI), Transmission's RPC (transmission-daemon, or Preferences → Remote), deluge-web connected to deluged, or aria2c started with --enable-rpc.",
      "Compare {url} with the address and port the client's Web UI / RPC really listens on, and correct `tunnels[].downloader.url` (or save the tunnel again) if they differ.",
      "If the client runs in a Docker container with bridge networking, give it host networking or publish its Web UI port to 127.0.0.1.",
      "What the connection attempt reported: {error}",
    ],
    "guidance.credentials.title": "Give tunnel {tunnel} the right login for {kind}",
    "guidance.credentials.steps": [
      "Put the user name and password of the client's Web UI / RPC into `tunnels[].downloader` (username, password), or save the tunnel again with them from the console. For aria2 the password is its --rpc-secret.",
      "qBittorrent blocks an address for a while after several failed logins: once the password is right, wait for the block to end (Options → Web UI → ban duration) or restart qBittorrent.",
      "Run the checks again; the tunnel pushes its port as soon as the login works.",
    ],
    "guidance.credentials-api-key.title": "Give tunnel {tunnel} an API key {kind} accepts",
    "guidance.credentials-api-key.steps": [
      "Compare `tunnels[].downloader.apiKey` with the key in the client's Web UI options (qBittorrent: Options → Web UI → API key), or save the tunnel again with the current key from the console. A key that was regenerated or deleted there no longer works.",
      "qBittorrent has API keys from 5.2 on; an older one refuses every key. Update it, or remove apiKey from the tunnel and give the Web UI user name and password instead.",
      "Run the checks again; the tunnel pushes its port as soon as the key is accepted.",
    ],
    "guidance.unsupported.title": "Make the {kind} adapter work with this client",
    "guidance.unsupported.steps": [
      "What went wrong: {error}",
      "Use one of the built-in kinds (qbittorrent, transmission, deluge, aria2) or install the plugin that provides {kind}, and check that the kind matches the client at {url}.",
      "If the client is too old for its API calls, update it to a current release.",
    ],
    "guidance.remote.title": "Run AutoSTUN on the same machine as {kind}",
    "guidance.remote.steps": [
      "AutoSTUN forwards each peer in user space and tells them apart only while the downloader reaches it over 127.0.0.1; on another machine every peer looks like this host, so bans, peer lists and per-peer statistics lose the real addresses, and the forwarding costs a second network hop.",
      "Best: install AutoSTUN on the machine that runs {kind} (or move {kind} here), then set the downloader URL to http://127.0.0.1:{port} and the tunnel's target to 127.0.0.1 and the client's peer port.",
      "With Docker, run both containers with host networking so they share 127.0.0.1.",
      "If it has to stay at {url}, the port push still works, but expect the downloader to see this host's address for every peer.",
    ],
  },
  "zh-CN": {
    "summary.none":
      "没有任何隧道配置了下载器，因此无可检查。未配置时，AutoSTUN 无法把公网端口告诉你的下载器。",
    "summary.loopback": "{client} 在本机回环地址 {url} 上响应，并接受隧道 {tunnel} 配置的账号密码。",
    "summary.this-host": "{client} 在本机自己的地址 {url} 上响应，并接受隧道 {tunnel} 配置的账号密码。",
    "summary.remote":
      "{client} 在 {url} 上响应，但这不是本机（{addresses}）。转发给它的外部节点会丢失真实地址。",
    "summary.unreachable": "{kind} 在 {url} 上没有响应（隧道 {tunnel}）：{error}",
    "summary.credentials": "{url} 上的 {kind} 拒绝了隧道 {tunnel} 配置的用户名或密码：{error}",
    "summary.credentials-api-key": "{url} 上的 {kind} 拒绝了隧道 {tunnel} 配置的 API 密钥：{error}",
    "summary.unsupported": "{url} 上的 {kind}（隧道 {tunnel}）无法使用：{error}",
    "summary.more": "{summary}（共检查了 {count} 个下载器，其余的见详细信息。）",
    "summary.not-retried":
      "{summary}AutoSTUN 没有再次登录：{by}在 {at} 已用完全相同的设置遭到拒绝，每多一次失败的登录，本机就离被封禁更近一步（qBittorrent 默认在 5 次失败后封禁该地址一小时）。",
    "by.push": "隧道的端口推送",
    "by.probe": "本检查的上一次运行",
    "guidance.not-retried.steps": [
      "本检查不会自行重试已被拒绝的设置。要再试一次，请改正设置并保存隧道（在控制台，或修改配置文件中的 `tunnels[].downloader` 后重新加载）：设置一变，推送和下一次检查都会立即重新登录。",
      '如果你是在下载器那边改好的（它的密码、用户名或 API 密钥），请让隧道重新推送（在仪表盘上对隧道 {tunnel} 点“重新推送端口”、GraphQL `pushDownloaderPort(id: "{tunnel}")`，或重启该隧道），然后重新运行检查。',
    ],
    "guidance.none.title": "让 AutoSTUN 能与下载器通信",
    "guidance.none.steps": [
      '在配置文件的隧道里加上 `downloader`，例如 `downloader: { kind: "qbittorrent", url: "http://127.0.0.1:8080", username: "admin", password: "…" }`（kind 可选 qbittorrent、transmission、deluge、aria2）。',
      "也可以在控制台里从本机已发现的下载器（GraphQL `discoveredDownloaders`）中选一个，保存到隧道上。",
      "不配置的话，每次公网端口变化后都要手动把下载器的监听端口改成新的公网端口。",
    ],
    "guidance.unreachable.title": "让 {kind} 在 {url} 上响应",
    "guidance.unreachable.steps": [
      "确认下载器正在运行并已开启远程控制：qBittorrent 的 Web UI（选项 → Web UI）、Transmission 的 RPC（transmission-daemon，或 首选项 → 远程）、已连接 deluged 的 deluge-web，或带 --enable-rpc 启动的 aria2c。",
      "核对 {url} 与下载器 Web UI 或 RPC 实际监听的地址和端口；不一致时修改 `tunnels[].downloader.url`（或在控制台重新保存隧道）。",
      "如果下载器运行在 bridge 网络模式的 Docker 容器里，请改用 host 网络，或把 Web UI 端口发布到 127.0.0.1。",
      "连接时得到的错误：{error}",
    ],
    "guidance.credentials.title": "为隧道 {tunnel} 填写正确的 {kind} 登录信息",
    "guidance.credentials.steps": [
      "把下载器 Web UI 或 RPC 的用户名和密码填进 `tunnels[].downloader`（username、password），或在控制台重新保存隧道。aria2 的密码就是它的 --rpc-secret。",
      "qBittorrent 在多次登录失败后会暂时封禁该地址：改对密码后，请等封禁结束（选项 → Web UI → 封禁时长）或重启 qBittorrent。",
      "重新运行检查；登录成功后隧道会立即推送端口。",
    ],
    "guidance.credentials-api-key.title": "为隧道 {tunnel} 填写 {kind} 接受的 API 密钥",
    "guidance.credentials-api-key.steps": [
      "把 `tunnels[].downloader.apiKey` 与下载器 Web UI 选项中的密钥核对（qBittorrent：选项 → Web UI → API 密钥），或在控制台用当前的密钥重新保存隧道。在那里重新生成或删除过的密钥就不再有效。",
      "qBittorrent 从 5.2 起才支持 API 密钥，更早的版本会拒绝任何密钥。请升级它，或从隧道中删除 apiKey，改填 Web UI 的用户名和密码。",
      "重新运行检查；密钥被接受后隧道会立即推送端口。",
    ],
    "guidance.unsupported.title": "让 {kind} 适配器能配合这个下载器工作",
    "guidance.unsupported.steps": [
      "出错原因：{error}",
      "请使用内置类型（qbittorrent、transmission、deluge、aria2）之一，或安装提供 {kind} 的插件，并确认类型与 {url} 上的下载器一致。",
      "如果下载器版本太旧、不支持所需的 API，请升级到当前版本。",
    ],
    "guidance.remote.title": "把 AutoSTUN 和 {kind} 运行在同一台机器上",
    "guidance.remote.steps": [
      "AutoSTUN 在用户态转发每个外部节点，只有下载器通过 127.0.0.1 与它相连时才能区分出各个节点；下载器在另一台机器上时，所有节点看起来都来自本机，封禁、节点列表和按节点的统计都会丢失真实地址，转发还要多经过一跳网络。",
      "最佳做法：在运行 {kind} 的机器上安装 AutoSTUN（或把 {kind} 搬到本机），然后把下载器地址设为 http://127.0.0.1:{port}，隧道的 target 设为 127.0.0.1 加下载器的监听端口。",
      "使用 Docker 时，让两个容器都使用 host 网络，这样它们共享 127.0.0.1。",
      "如果它只能留在 {url}，端口推送仍然有效，但下载器看到的每个节点地址都会是本机地址。",
    ],
  },
});
