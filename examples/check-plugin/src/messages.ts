import { defineCatalog } from "@autostun/plugins-api";

export const messages = defineCatalog({
  en: {
    "summary.ok": "{free} GiB free in {path}",
    "summary.low": "Only {free} GiB free in {path} (want at least {min} GiB)",
    "summary.missing": "The download folder {path} does not exist",
    "guidance.low.title": "Make room before peers start sending data",
    "guidance.low.steps": [
      "See what takes the space: du -xh --max-depth=1 {path} | sort -h | tail",
      "Remove finished torrents you no longer seed, or move them to another disk",
      "Or point your downloader and this check (plugins.config.autostun-plugin-example.path) at a larger disk",
    ],
    "guidance.missing.title": "Tell the check where downloads go",
    "guidance.missing.steps": [
      "Create the folder: mkdir -p {path}",
      "Or set plugins.config.autostun-plugin-example.path in autostun.yaml to your downloader's save path",
    ],
  },
  "zh-CN": {
    "summary.ok": "{path} 可用空间 {free} GiB",
    "summary.low": "{path} 仅剩 {free} GiB（建议至少 {min} GiB）",
    "summary.missing": "下载目录 {path} 不存在",
    "guidance.low.title": "在对端开始传输前腾出空间",
    "guidance.low.steps": [
      "查看占用：du -xh --max-depth=1 {path} | sort -h | tail",
      "删除已不再做种的完成任务，或把它们移到其他磁盘",
      "或者让下载器和本检查（plugins.config.autostun-plugin-example.path）改用更大的磁盘",
    ],
    "guidance.missing.title": "告诉本检查下载保存在哪里",
    "guidance.missing.steps": [
      "创建目录：mkdir -p {path}",
      "或在 autostun.yaml 中把 plugins.config.autostun-plugin-example.path 设为下载器的保存路径",
    ],
  },
});
