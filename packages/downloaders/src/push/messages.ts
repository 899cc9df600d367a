import { defineCatalog, type LocalizedText } from "@autostun/plugins-api";
import type { DownloaderPushError } from "./push-status.js";

/** What a tunnel says about its downloader when a push did not take, one line per kind of failure. */
export const pushMessages = defineCatalog({
  en: {
    CREDENTIALS_REFUSED:
      "{kind} refused the user name or password: correct them in the tunnel's downloader settings",
    UNREACHABLE: "{kind} does not answer at {url}: start it, or correct the URL",
    IGNORED_CHANGE:
      "{kind} did not take port {port}: configure a restart hook for it (aria2 changes its port only on restart), or free the port",
    UNSUPPORTED: "{kind} cannot do this: {detail}",
    OTHER: "pushing port {port} to {kind} failed: {detail}",
  },
  "zh-CN": {
    CREDENTIALS_REFUSED: "{kind} 拒绝了用户名或密码：请在隧道的下载器设置中改正",
    UNREACHABLE: "{kind} 在 {url} 没有应答：请启动它，或改正地址",
    IGNORED_CHANGE:
      "{kind} 没有采用端口 {port}：请为它配置重启钩子（aria2 只在重启时更换端口），或释放该端口",
    UNSUPPORTED: "{kind} 不支持此操作：{detail}",
    OTHER: "向 {kind} 推送端口 {port} 失败：{detail}",
  },
});

/** The failure in the user's language; the client's own words (often English) stay in `{detail}`. */
export function pushErrorText(
  error: DownloaderPushError,
  context: { kind: string; url: string; port: number | undefined },
): LocalizedText {
  return pushMessages.text(error.kind, {
    kind: context.kind,
    url: context.url,
    port: context.port ?? "-",
    detail: error.message,
  });
}
