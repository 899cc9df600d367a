import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("..", import.meta.url));
export const REPORT_PATH = `${root}api-report.d.ts`;

/**
 * The public surface as declarations, one section per source file. Committed beside the package, so a
 * change to the contract shows up in review and fails CI until the report is updated on purpose.
 */
export function buildApiReport(): string {
  const config = ts.readConfigFile(`${root}tsconfig.build.json`, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const options = {
    ...parsed.options,
    declaration: true,
    emitDeclarationOnly: true,
    noEmit: false,
    sourceMap: false,
    declarationMap: false,
  };
  const files = parsed.fileNames.filter((file) => !file.endsWith(".test.ts"));
  const outputs = new Map<string, string>();
  const program = ts.createProgram(files, options);
  program.emit(undefined, (name, text) => outputs.set(name.slice(name.lastIndexOf("dist/") + 5), text));
  return [...outputs.keys()]
    .sort()
    .map((name) => `// ---- ${name}\n${(outputs.get(name) as string).trim()}\n`)
    .join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = buildApiReport();
  const before = (() => {
    try {
      return readFileSync(REPORT_PATH, "utf8");
    } catch {
      return "";
    }
  })();
  writeFileSync(REPORT_PATH, report);
  console.log(
    before === report
      ? "api-report.d.ts unchanged"
      : "api-report.d.ts updated: review the diff, bump the version if it breaks plugins",
  );
}
