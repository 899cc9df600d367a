import { defineCatalog } from "@autostun/plugins-api";

/** Every user-facing text of `docker.network-mode`, in English and Simplified Chinese. */
export const messages = defineCatalog({
  en: {
    "summary.no-container": "Not running in a container: the host's network is used directly.",
    "summary.host": "Running in a {runtime} container that shares the host's network (host mode).",
    "summary.own-address":
      "Running in a {runtime} container with its own LAN address ({kind}); the router sees it as a separate machine.",
    "summary.bridge":
      "Running in a {runtime} container on a bridge network: {interfaces} behind gateway {gateway}. The container's extra NAT breaks NAT1.",
    "summary.user-mode":
      "Running in a {runtime} container with user-mode networking ({interfaces}, slirp4netns or pasta). Inbound peers cannot reach it.",
    "summary.none": "Running in a {runtime} container with no network other than loopback.",
    "summary.unknown":
      "Running in a {runtime} container, but its network mode could not be told from its interfaces ({interfaces}).",
    "guidance.title": "Switch the container to the host's network",
    "guidance.steps": [
      "docker-compose: in the service that runs AutoSTUN, add `network_mode: host` and delete its `ports:` and `networks:` entries (host mode ignores them). Then run `docker compose up -d` to recreate it.",
      "docker run: recreate the container with `--network host` instead of `-p …` port mappings, e.g. `docker run -d --network host …`. Podman: `podman run --network host …`.",
      "What host mode changes: the container uses the host's interfaces and ports directly, so the tunnel's local port is opened on the host itself and nothing else on the host may use it; the downloader is reachable at 127.0.0.1 if it runs on the same host.",
      "Re-run this check: it passes when the container sees the host's own interfaces.",
    ],
    "guidance.unknown.title": "Confirm the container's network mode",
    "guidance.unknown.steps": [
      "On the host, run `docker inspect -f '{{.HostConfig.NetworkMode}}' <container>` (or `podman inspect`); it should print `host`.",
      "If it prints anything else, recreate the container with `network_mode: host` (docker-compose) or `--network host` (docker run / podman run).",
    ],
  },
  "zh-CN": {
    "summary.no-container": "未在容器中运行：直接使用主机网络。",
    "summary.host": "运行在 {runtime} 容器中，并与主机共用网络（host 模式）。",
    "summary.own-address":
      "运行在 {runtime} 容器中，拥有独立的局域网地址（{kind}），路由器把它当作一台单独的设备。",
    "summary.bridge":
      "运行在 {runtime} 容器的桥接（bridge）网络中：{interfaces}，网关 {gateway}。容器多出的一层 NAT 会破坏 NAT1。",
    "summary.user-mode":
      "运行在 {runtime} 容器中，使用用户态网络（{interfaces}，slirp4netns 或 pasta），外部连接无法进入。",
    "summary.none": "运行在 {runtime} 容器中，除回环外没有任何网络。",
    "summary.unknown": "运行在 {runtime} 容器中，但无法从网卡（{interfaces}）判断其网络模式。",
    "guidance.title": "把容器切换为主机网络（host 模式）",
    "guidance.steps": [
      "docker-compose：在运行 AutoSTUN 的服务下加上 `network_mode: host`，并删除该服务的 `ports:` 和 `networks:`（host 模式下它们不起作用），然后执行 `docker compose up -d` 重建容器。",
      "docker run：去掉 `-p …` 端口映射，改用 `--network host` 重新创建容器，例如 `docker run -d --network host …`。Podman 同理：`podman run --network host …`。",
      "host 模式带来的变化：容器直接使用主机的网卡和端口，隧道的本地端口直接开在主机上，主机上其他程序不能再占用它；下载器若在同一台主机上，可通过 127.0.0.1 访问。",
      "重新运行本检查：容器能看到主机自己的网卡时即为通过。",
    ],
    "guidance.unknown.title": "确认容器的网络模式",
    "guidance.unknown.steps": [
      "在主机上执行 `docker inspect -f '{{.HostConfig.NetworkMode}}' <容器名>`（或 `podman inspect`），结果应为 `host`。",
      "如果不是，请用 `network_mode: host`（docker-compose）或 `--network host`（docker run / podman run）重建容器。",
    ],
  },
});
