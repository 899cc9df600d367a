import { gzipSync } from "node:zlib";

/** Most a first visit may download, gzipped: the budget for the console's initial load. */
export const INITIAL_LOAD_BUDGET_BYTES = 300 * 1000;

/** The parts of a Rollup/Rolldown output bundle this report reads. */
export type BundleEntry =
  | { type: "chunk"; fileName: string; code: string; imports: readonly string[] }
  | { type: "asset"; fileName: string; source: string | Uint8Array };

/** One file of the initial load with its size as served and gzipped. */
export interface LoadedFile {
  fileName: string;
  bytes: number;
  gzipBytes: number;
}

/**
 * The files a browser fetches before the console can draw: the HTML page, everything it references
 * (entry script, stylesheets, modulepreloads), and every chunk those scripts import statically.
 * Chunks reached only through `import()` load later and do not count.
 */
export function initialLoadFiles(
  bundle: Readonly<Record<string, BundleEntry>>,
  html = "index.html",
): string[] {
  const page = bundle[html];
  if (page?.type !== "asset") throw new Error(`the build has no ${html} to measure the initial load from`);
  const text = typeof page.source === "string" ? page.source : new TextDecoder().decode(page.source);
  const wanted = new Set<string>([html]);
  const queue: string[] = [];
  for (const match of text.matchAll(/<(?:script|link)\b[^>]*?\s(?:src|href)="([^"]+)"[^>]*>/g)) {
    const reference = (match[1] ?? "").replace(/^\.?\//, "");
    if (bundle[reference]) queue.push(reference);
  }
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (wanted.has(name)) continue;
    wanted.add(name);
    const entry = bundle[name];
    if (entry?.type === "chunk") queue.push(...entry.imports.filter((imported) => bundle[imported]));
  }
  return [...wanted].sort();
}

/** Sizes of the given files as written and gzipped at the level servers commonly use (9 is the most). */
export function measure(
  bundle: Readonly<Record<string, BundleEntry>>,
  files: readonly string[],
): LoadedFile[] {
  return files.map((fileName) => {
    const entry = bundle[fileName];
    if (!entry) throw new Error(`${fileName} is not in the build`);
    const content = entry.type === "chunk" ? entry.code : entry.source;
    const bytes = typeof content === "string" ? Buffer.from(content) : Buffer.from(content);
    return { fileName, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  });
}

// kB as Vite prints them (1000 bytes), so the two reports agree.
const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

/** The report `npm run build` prints, and whether the load fits the budget. */
export function initialLoadReport(files: readonly LoadedFile[], budget = INITIAL_LOAD_BUDGET_BYTES) {
  const total = files.reduce((sum, file) => sum + file.gzipBytes, 0);
  const raw = files.reduce((sum, file) => sum + file.bytes, 0);
  const width = Math.max(...files.map((file) => file.fileName.length), 5);
  const lines = [
    "console initial load (what a first visit downloads):",
    ...files.map(
      (file) =>
        `  ${file.fileName.padEnd(width)}  ${kB(file.bytes).padStart(9)}  gzip ${kB(file.gzipBytes).padStart(8)}`,
    ),
    `  ${"total".padEnd(width)}  ${kB(raw).padStart(9)}  gzip ${kB(total).padStart(8)}  (budget ${kB(budget)} gzipped)`,
  ];
  return { text: lines.join("\n"), totalGzipBytes: total, fits: total <= budget };
}
