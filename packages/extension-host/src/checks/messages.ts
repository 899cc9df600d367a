import { defineCatalog, type LocalizedText, type MessageParams } from "@autostun/plugins-api";

/** What the engine says about a check when the check itself could not give a verdict. */
export const engineMessages = defineCatalog({
  en: {
    pending: "not run yet",
    "platforms.only": "applies only to {platforms}",
    timeout: "the check did not finish within {ms} ms and was stopped",
    "invalid-result": "the check returned an invalid result: {problem}",
    crashed: "the check crashed: {reason}",
    cancelled: "the check was stopped before it finished: {reason}",
    "cancel.nobody-waits": "nobody waits for it any more ({reason})",
    "cancel.request-aborted": "the request was withdrawn",
    "cancel.default": "it was cancelled",
    "cancel.stopping": "AutoSTUN is stopping",
    "dependency.unknown": "depends on unknown check {ids}",
    "dependency.cycle": "dependency cycle: {cycle}",
    "dependency.blocked": "its dependency {id} cannot run",
    "remedy.not-offered": "check {check} currently offers no remedy named {remedy}; re-run it first",
    "remedy.needs-root":
      'applying "{remedy}" needs administrator rights; restart AutoSTUN as root (or elevated) and try again.',
    "remedy.needs-root.by-hand":
      'applying "{remedy}" needs administrator rights; restart AutoSTUN as root (or elevated) and try again. Or apply it by hand: {commands}',
    "remedy.cannot-apply": "check {check} offers remedies but cannot apply them",
    "remedy.failed": "the remedy failed: {reason}",
  },
  "zh-CN": {
    pending: "尚未运行",
    "platforms.only": "只适用于这些平台：{platforms}",
    timeout: "检查在 {ms} 毫秒内没有完成，已被中止",
    "invalid-result": "检查返回的结果不合规范：{problem}",
    crashed: "检查程序本身出错：{reason}",
    cancelled: "检查还没完成就被停下了：{reason}",
    "cancel.nobody-waits": "已经没有人在等这项结果（{reason}）",
    "cancel.request-aborted": "发起请求的一方已经撤回",
    "cancel.default": "已被取消",
    "cancel.stopping": "AutoSTUN 正在停止运行",
    "dependency.unknown": "它依赖的检查 {ids} 并不存在",
    "dependency.cycle": "检查之间的依赖绕成了一个环：{cycle}",
    "dependency.blocked": "它依赖的检查 {id} 无法运行",
    "remedy.not-offered": "检查 {check} 目前没有名为 {remedy} 的修复办法；请先重新运行这项检查",
    "remedy.needs-root":
      "执行修复“{remedy}”需要管理员权限；请以 root（或提升权限）重新启动 AutoSTUN 后再试。",
    "remedy.needs-root.by-hand":
      "执行修复“{remedy}”需要管理员权限；请以 root（或提升权限）重新启动 AutoSTUN 后再试。也可以手动执行：{commands}",
    "remedy.cannot-apply": "检查 {check} 列出了修复办法，却没有提供执行它们的功能",
    "remedy.failed": "修复没有成功：{reason}",
  },
});

export function engineText(key: string, params?: MessageParams): LocalizedText {
  return engineMessages.text(key, params);
}
