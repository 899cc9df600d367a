import { defineCatalog, type LocalizedText, type MessageParams } from "@autostun/plugins-api";

/** What a config reload tells the user, through the API and the log. */
export const reloadMessages = defineCatalog({
  en: {
    applied: "The configuration was reloaded from {file}.",
    unchanged: "{file} holds no changes; nothing was reloaded.",
    refused:
      "The new configuration in {file} was refused and the previous one keeps running. Correct it and reload again: {problems}",
    "needs-restart": "Restart AutoSTUN to apply {keys}: a running daemon cannot change them.",
    "no-source":
      "This daemon was not started from a configuration it can read again, so there is nothing to reload.",
    embedded: "the embedded defaults with the AUTOSTUN_* environment",
  },
  "zh-CN": {
    applied: "已从 {file} 重新加载配置。",
    unchanged: "{file} 没有变化，未重新加载任何内容。",
    refused: "{file} 中的新配置被拒绝，之前的配置仍在运行。请修正后再次重新加载：{problems}",
    "needs-restart": "需要重启 AutoSTUN 才能应用 {keys}：运行中的守护进程无法更改它们。",
    "no-source": "此守护进程启动时没有可重新读取的配置，因此无法重新加载。",
    embedded: "内置默认值及 AUTOSTUN_* 环境变量",
  },
});

export function reloadText(key: string, params?: MessageParams): LocalizedText {
  return reloadMessages.text(key, params);
}
