import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Catalog } from "@autostun/plugins-api";
import { describe, expect, it } from "vitest";
import { latinSentences } from "../testing/latin-text.js";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
// Every built-in catalog: the daemon's own (engine, extension host), each built-in check's, the downloaders'.
const roots = [
  "apps/server/src",
  "packages/extension-host/src",
  "packages/tunnels/src",
  "packages/checks/src",
  "packages/downloaders/src",
].map((root) => join(repo, root));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Files that build a catalog, found the way a reviewer would: by grepping for defineCatalog. */
const catalogFiles = roots
  .flatMap(sourceFiles)
  .filter((file) => /\bdefineCatalog\(/.test(readFileSync(file, "utf8")));

function isCatalog(value: unknown): value is Catalog {
  return typeof value === "object" && value !== null && "messages" in value && "text" in value;
}

async function catalogsIn(file: string): Promise<[string, Catalog][]> {
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  return Object.entries(module)
    .filter((entry): entry is [string, Catalog] => isCatalog(entry[1]))
    .map(([name, catalog]) => [`${relative(repo, file)}#${name}`, catalog]);
}

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string))].sort();
}

describe("every built-in message catalog", () => {
  it("is found: the engine's, the extension host's and each built-in check's", () => {
    const names = catalogFiles.map((file) => relative(repo, file));
    expect(names).toEqual(
      expect.arrayContaining([
        "packages/extension-host/src/checks/messages.ts",
        "packages/extension-host/src/contributions/result-messages.ts",
        "packages/extension-host/src/contributions/messages.ts",
        "packages/checks/src/nat/messages.ts",
        "packages/checks/src/firewall-inbound/messages.ts",
        "packages/checks/src/antivirus-hints/messages.ts",
        "packages/checks/src/docker-network-mode/messages.ts",
        "packages/extension-host/src/contributions/downloader-messages.ts",
        "packages/downloaders/src/push/messages.ts",
      ]),
    );
  });

  it("has every key in en and zh-CN, with the same placeholders and as many steps", async () => {
    const problems: string[] = [];
    for (const file of catalogFiles) {
      for (const [where, catalog] of await catalogsIn(file)) {
        const en = catalog.messages.en;
        const zh = catalog.messages["zh-CN"] ?? {};
        const keys = new Set([...Object.keys(en), ...Object.keys(zh)]);
        for (const key of keys) {
          const english = en[key];
          const chinese = zh[key];
          if (english === undefined || chinese === undefined) {
            problems.push(`${where} ${key}: missing in ${english === undefined ? "en" : "zh-CN"}`);
            continue;
          }
          const enList = typeof english === "string" ? [english] : english;
          const zhList = typeof chinese === "string" ? [chinese] : chinese;
          if (typeof english !== typeof chinese || enList.length !== zhList.length) {
            problems.push(`${where} ${key}: en has ${enList.length} steps, zh-CN ${zhList.length}`);
            continue;
          }
          enList.forEach((text, index) => {
            const a = placeholders(text).join(",");
            const b = placeholders(zhList[index] as string).join(",");
            if (a !== b) problems.push(`${where} ${key}[${index}]: placeholders en {${a}} zh-CN {${b}}`);
          });
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("writes no English sentence in zh-CN (names, commands, ids and addresses aside)", async () => {
    const problems: string[] = [];
    for (const file of catalogFiles) {
      for (const [where, catalog] of await catalogsIn(file)) {
        for (const [key, value] of Object.entries(catalog.messages["zh-CN"] ?? {})) {
          for (const text of typeof value === "string" ? [value] : value) {
            const english = latinSentences(text);
            if (english.length > 0) problems.push(`${where} ${key}: ${english.join(" | ")}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("tells English apart from names, ids and commands", () => {
    expect(latinSentences("尚未运行")).toEqual([]);
    expect(latinSentences("运行在 docker 容器中；然后运行：autostun doctor --check nat.type")).toEqual([]);
    expect(latinSentences("检查 {id} 依赖 STUN 服务器（RFC 5780，OTHER-ADDRESS）")).toEqual([]);
    expect(latinSentences("改用 `docker run -d --network host …` 重新创建")).toEqual([]);
    expect(latinSentences("公网地址未知：not run yet")).toEqual(["not run yet"]);
    expect(latinSentences("检查出错：the check crashed")).toEqual(["the check crashed"]);
    expect(latinSentences("原因：timed out")).toEqual(["timed out"]);
    expect(latinSentences("端口 6881 被 Windows Defender Firewall 拦截")).toEqual([]);
  });
});
