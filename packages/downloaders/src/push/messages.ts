import { defineCatalog, type LocalizedText } from "@autostun/plugins-api";
import type { DownloaderPushError } from "./push-status.js";

/** What a tunnel says about its downloader when a push did not take, one line per kind of failure. */
export const pushMessages = defineCatalog({
  en: {
    CREDENTIALS_REFUSED:
      "{kind} refused the user name or password: correct them in the tunnel's downloader settings",
    "CREDENTIALS_REFUSED.api-key":
      "{kind} refused the API key: check it against the client's Web UI options (qBittorrent has API keys from 5.2 on), or remove it from the tunnel's downloader settings to log in with a user name and password",
    UNREACHABLE: "{kind} does not answer at {url}: start it, or correct the URL",
    IGNORED_CHANGE:
      "{kind} did not take port {port}: configure a restart hook for it (aria2 changes its port only on restart), or free the port",
    UNSUPPORTED: "{kind} cannot do this: {detail}",
    OTHER: "pushing port {port} to {kind} failed: {detail}",
  },
  "zh-CN": {
    CREDENTIALS_REFUSED: "{kind} 拒绝了用户名或密码：请在隧道的下载器设置中改正",
    "CREDENTIALS_REFUSED.api-key":
      "{kind} 拒绝了 API 密钥：请与下载器 Web UI 选项中的密钥核对（qBittorrent 从 5.2 起支持 API 密钥），或从隧道的下载器设置中删除它，改用用户名和密码登录",
    UNREACHABLE: "{kind} 在 {url} 没有应答：请启动它，或改正地址",
    IGNORED_CHANGE:
      "{kind} 没有采用端口 {port}：请为它配置重启钩子（aria2 只在重启时更换端口），或释放该端口",
    UNSUPPORTED: "{kind} 不支持此操作：{detail}",
    OTHER: "向 {kind} 推送端口 {port} 失败：{detail}",
  },
});

/**
 * The failure in the user's language; the client's own words (often English) stay in `{detail}`. With
 * `usesApiKey` a refusal names the API key the adapter sent, as no user name or password was.
 */
export function pushErrorText(
  error: DownloaderPushError,
  context: { kind: string; url: string; port: number | undefined; usesApiKey?: boolean },
): LocalizedText {
  const key =
    error.kind === "CREDENTIALS_REFUSED" && context.usesApiKey ? "CREDENTIALS_REFUSED.api-key" : error.kind;
  return pushMessages.text(key, {
    kind: context.kind,
    url: context.url,
    port: context.port ?? "-",
    detail: error.message,
  });
}
