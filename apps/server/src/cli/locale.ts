/** The locale for terminal output: the config's, else the environment's (zh_CN.UTF-8 -> zh-CN), else English. */
export function terminalLocale(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (configured) return configured;
  const raw = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  const match = /^([a-z]{2,3})(?:_([A-Z]{2}))?/.exec(raw);
  if (!match) return "en";
  return match[1] === "zh" ? "zh-CN" : (match[1] as string);
}
