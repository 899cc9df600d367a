import { defineCatalog, type LocalizedText, type MessageParams } from "@autostun/plugins-api";

/**
 * Why a plugin's checks cannot run, as the user reads it in the check's summary: the manifest could
 * not be used, the plugin broke while starting, or its process ended.
 */
export const hostMessages = defineCatalog({
  en: {
    "plugin.title": "Plugin {id}",
    "manifest.unreadable": "cannot read {path}: {reason}",
    "manifest.missing": '{path} has no "autostun" manifest field',
    "manifest.invalid": "invalid manifest in {path} at {where}: {reason}",
    "manifest.not-a-list": "expected a list",
    "manifest.duplicate": "another extension named {id} is already loaded from {dir}",
    "engines.not-semver": 'plugin {id} declares engines.autostun "{range}", which is not a semver range',
    "engines.incompatible":
      "plugin {id} requires AutoSTUN plugin API {range}, but this AutoSTUN provides {version}; install a version of the plugin made for {version}",
    "main.outside":
      'plugin {id}: its main "{main}" points to {where}, outside the plugin\'s folder {dir}; a plugin may only run code from its own folder, so set "main" to a file inside it (or ask the plugin\'s author for a fixed version)',
    "main.through-link": "{path} (through a symbolic link)",
    "main.missing": "plugin {id}: its main module {path} does not exist (was it built?)",
    "main.folder": "plugin {id}: cannot resolve its folder {dir}: {reason}",
    "main.no-activate": "its main module exports no activate(context) function",
    "check.taken": "check {check} is already provided by {owner}",
    "check.unknown": "no extension declares a check named {check}",
    "check.gone": "extension {id} is gone",
    "check.unregistered": "plugin {id} activated but registered no implementation for {check}",
    "gatherer.undeclared":
      "no plugin declares the gatherer {gatherer} in contributes.gatherers, and no running plugin has registered it",
    "gatherer.unregistered": "plugin {id} activated but registered no gatherer {gatherer}",
    "failed.load": "plugin {id} failed to load: {reason}",
    "failed.activate": "plugin {id} failed to activate: {reason}",
    "activation.timeout":
      "loading and activate() did not finish within {ms} ms (a top-level await or activate() that never settles?)",
    "process.crashed": "plugin {id}'s host {cause}",
    "process.died": "plugin {id}'s host {cause} during {during}",
    "process.not-running": "is not running",
    "process.spawn-failed": "could not be started ({reason})",
    "process.disconnected": "closed its connection to the daemon and was killed",
    "process.unresponsive":
      "stopped answering (no reply to a heartbeat within {ms} ms: a busy loop?) and was killed",
    "process.out-of-memory": "ran out of memory (limit {mb} MB) and ended",
    "process.signal": "was killed by {signal}",
    "process.exit-code": "exited with code {code}",
    "process.shutdown": "was stopped because the daemon is shutting down",
    "process.stopped-after-failure": "was stopped because {id} failed to start",
    "during.start-up": "start-up",
    "during.activate": "activate()",
    "during.deactivate": "deactivate()",
    "during.heartbeat": "a heartbeat",
    "during.check": "check {check}",
    "during.remedy": "remedy {remedy} of check {check}",
    "during.gatherer": "gatherer {id}",
    "during.downloader": "a call to its {kind} downloader adapter",
    "restart.gave-up":
      "{error}; it crashed {crashes} times in a row, so it is not restarted again: update or remove the plugin, then restart AutoSTUN",
    "restart.scheduled": "{error}; restarting it in {ms} ms (restart {crashes} of at most {max} in a row)",
    "conflicts.joined": "{error}; {conflict}",
  },
  "zh-CN": {
    "plugin.title": "插件 {id}",
    "manifest.unreadable": "无法读取 {path}：{reason}",
    "manifest.missing": "{path} 里缺少 autostun 清单字段",
    "manifest.invalid": "{path} 中的清单有误，位置 {where}：{reason}",
    "manifest.not-a-list": "这里应当是一个列表",
    "manifest.duplicate": "已经从 {dir} 加载了同名扩展 {id}",
    "engines.not-semver": "插件 {id} 声明的 engines.autostun 为“{range}”，这不是合法的语义化版本范围",
    "engines.incompatible":
      "插件 {id} 要求的插件接口版本为 {range}，而当前 AutoSTUN 提供的是 {version}；请安装适配 {version} 的插件版本",
    "main.outside":
      "插件 {id}：入口文件“{main}”指向 {where}，位于插件目录 {dir} 之外；插件只能运行自己目录里的代码，请把 main 改成目录内的文件（或向插件作者索取修正后的版本）",
    "main.through-link": "{path}（经由符号链接）",
    "main.missing": "插件 {id}：入口模块 {path} 不存在（是否还没有构建？）",
    "main.folder": "插件 {id}：无法解析插件目录 {dir}：{reason}",
    "main.no-activate": "入口模块没有导出 activate(context) 函数",
    "check.taken": "检查 {check} 已经由 {owner} 提供",
    "check.unknown": "没有任何扩展声明名为 {check} 的检查",
    "check.gone": "扩展 {id} 已不存在",
    "check.unregistered": "插件 {id} 已启用，但没有为 {check} 注册实现",
    "gatherer.undeclared":
      "没有插件在 contributes.gatherers 中声明数据采集器 {gatherer}，正在运行的插件也没有注册它",
    "gatherer.unregistered": "插件 {id} 已启用，但没有注册数据采集器 {gatherer}",
    "failed.load": "插件 {id} 加载失败：{reason}",
    "failed.activate": "插件 {id} 启用失败：{reason}",
    "activation.timeout":
      "加载模块和执行 activate() 没能在 {ms} 毫秒内完成（可能有永远不结束的顶层 await 或 activate()）",
    "process.crashed": "插件 {id} 的宿主进程{cause}",
    "process.died": "插件 {id} 的宿主进程在{during}时{cause}",
    "process.not-running": "没有在运行",
    "process.spawn-failed": "无法启动（{reason}）",
    "process.disconnected": "断开了与守护进程的连接，已被结束",
    "process.unresponsive": "失去响应（{ms} 毫秒内没有回应心跳，可能陷入了死循环），已被结束",
    "process.out-of-memory": "内存耗尽（上限 {mb} MB），已退出",
    "process.signal": "被信号 {signal} 结束",
    "process.exit-code": "退出，退出码为 {code}",
    "process.shutdown": "因守护进程正在关闭而被停止",
    "process.stopped-after-failure": "因 {id} 启动失败而被停止",
    "during.start-up": "启动",
    "during.activate": "执行 activate()",
    "during.deactivate": "执行 deactivate()",
    "during.heartbeat": "等待心跳回应",
    "during.check": "运行检查 {check}",
    "during.remedy": "执行检查 {check} 的修复 {remedy}",
    "during.gatherer": "运行数据采集器 {id}",
    "during.downloader": "调用其 {kind} 下载器适配器",
    "restart.gave-up":
      "{error}；它已连续崩溃 {crashes} 次，不会再重启：请更新或移除该插件，然后重启 AutoSTUN",
    "restart.scheduled": "{error}；将在 {ms} 毫秒后重启（连续第 {crashes} 次，最多 {max} 次）",
    "conflicts.joined": "{error}；{conflict}",
  },
});

export function hostText(key: string, params?: MessageParams): LocalizedText {
  return hostMessages.text(key, params);
}
