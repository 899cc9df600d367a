import type { CommandRunner } from "@autostun/plugins-api";

/**
 * A scripted nft (and sysctl) for tests without root: every `nft -f -` script is taken and kept in
 * `scripts`, in order; `list` finds no table of ours, or, with `permitted: false`, is refused as nft
 * refuses a user without CAP_NET_ADMIN.
 */
export function recordingNft(permitted = true): CommandRunner & { scripts: string[] } {
  const scripts: string[] = [];
  return {
    scripts,
    async run(file, args, options) {
      if (file === "nft" && args.join(" ") === "-f -") scripts.push(String(options?.input ?? ""));
      if (file === "sysctl" && args[0] === "-n") return { exitCode: 0, stdout: "0\n", stderr: "" };
      if (file === "nft" && args.includes("list"))
        return permitted
          ? { exitCode: 1, stdout: "", stderr: "Error: No such file or directory" }
          : { exitCode: 1, stdout: "", stderr: "Operation not permitted" };
      return { exitCode: 0, stdout: "", stderr: "" };
    },
  };
}
