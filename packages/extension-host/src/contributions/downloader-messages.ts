import { defineCatalog, type LocalizedText, type MessageParams } from "@autostun/plugins-api";

/** What the daemon says about downloader kinds: which exist, which plugin provides one, why one cannot run. */
export const downloaderMessages = defineCatalog({
  en: {
    "kind.unknown":
      'no extension provides the downloader kind "{kind}"; use one of: {known} (or install the plugin that adds it)',
    "kind.unregistered": "plugin {id} activated but registered no adapter for the downloader kind {kind}",
    "kind.broken": 'the extension providing the downloader kind "{kind}" cannot run: {reason}',
    "remote.no-reannounce": "the {kind} adapter cannot ask its client to re-announce",
    "port.held":
      "port {port} is where tunnel {other} listens, so {kind} was not told to take it; stop and start this tunnel to punch another public port, or give the tunnels other local ports",
  },
  "zh-CN": {
    "kind.unknown": "没有扩展提供下载器类型“{kind}”；请使用其中之一：{known}（或安装提供它的插件）",
    "kind.unregistered": "插件 {id} 已激活，但没有为下载器类型 {kind} 注册适配器",
    "kind.broken": "提供下载器类型“{kind}”的扩展无法运行：{reason}",
    "remote.no-reannounce": "{kind} 适配器无法让客户端重新向 Tracker 汇报",
    "port.held":
      "端口 {port} 正由隧道 {other} 监听，因此没有让 {kind} 使用它；请停止并重新启动本隧道以打出另一个公网端口，或为各隧道换用其他本地端口",
  },
});

export function downloaderText(key: string, params?: MessageParams): LocalizedText {
  return downloaderMessages.text(key, params);
}
