import { defineCatalog } from "@autostun/plugins-api";

/** What a ban or unban answers when a tunnel could not put it in force. */
export const banMessages = defineCatalog({
  en: {
    "ban.not-applied":
      "{cidr} is banned and the ban is kept, but it is not in force on tunnel {tunnels} ({reasons}): peers from there still get in through it. Stop and start that tunnel to reload its rules with every ban.",
    "unban.not-applied":
      "the ban on {cidr} is lifted, but tunnel {tunnels} still refuses it ({reasons}). Stop and start that tunnel to reload its rules without the ban.",
  },
  "zh-CN": {
    "ban.not-applied":
      "已封禁 {cidr} 并保存，但该封禁在隧道 {tunnels} 上没有生效（{reasons}）：来自该网络的对端仍能经此隧道连入。请停止并重新启动该隧道，让它按全部封禁重新加载规则。",
    "unban.not-applied":
      "已解除对 {cidr} 的封禁，但隧道 {tunnels} 仍在拒绝它（{reasons}）。请停止并重新启动该隧道，让它重新加载不含此封禁的规则。",
  },
});
