import { defineCatalog } from "@autostun/plugins-api";

/** What unban answers when a tunnel could not put it in force (ban answers it as data: Ban.notApplied). */
export const banMessages = defineCatalog({
  en: {
    "unban.not-applied":
      "the ban on {cidr} is lifted, but tunnel {tunnels} still refuses it ({reasons}). Stop and start that tunnel to reload its rules without the ban.",
  },
  "zh-CN": {
    "unban.not-applied":
      "已解除对 {cidr} 的封禁，但隧道 {tunnels} 仍在拒绝它（{reasons}）。请停止并重新启动该隧道，让它重新加载不含此封禁的规则。",
  },
});
