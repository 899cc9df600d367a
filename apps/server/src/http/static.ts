import { createReadStream, existsSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The user guide that check guidance links to (`docs/user-guide.md#…`, relative to the console). */
export const DOCS_DIR = fileURLToPath(new URL("../../../../docs", import.meta.url));

/**
 * Streams a file that was there a moment ago; if reading fails after all (deleted, unreadable), the
 * connection is closed instead of an unhandled stream error ending the process.
 */
function streamFile(file: string, res: ServerResponse): void {
  createReadStream(file)
    .on("error", (error) => res.destroy(error))
    .pipe(res);
}

/** Serves the guide's Markdown files as plain text; nothing else under /docs. `path` is already decoded. */
export function serveDocs(path: string, res: ServerResponse, root = DOCS_DIR): void {
  const name = path.replace(/^\/docs\//, "");
  if (!/^[\w.-]+\.md$/.test(name) || !existsSync(join(root, name))) {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("no such document\n");
    return;
  }
  res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" });
  streamFile(join(root, name), res);
}

/** Where `npm run build` puts the console. */
export const CONSOLE_DIST = fileURLToPath(new URL("../../../console/dist", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>AutoSTUN</title>
<p>The AutoSTUN daemon is running, but its console has not been built.
Run <code>npm run build</code> in the AutoSTUN folder, then reload. The GraphQL API is at <a href="/graphql">/graphql</a>.</p>`;

/**
 * Serves the built console; unknown paths get index.html so client-side routes work on reload. `path` is
 * already decoded.
 */
export function serveConsole(
  req: IncomingMessage,
  path: string,
  res: ServerResponse,
  root = CONSOLE_DIST,
): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  const index = join(root, "index.html");
  if (!existsSync(index)) {
    res.writeHead(200, { "content-type": TYPES[".html"] as string }).end(NOT_BUILT);
    return;
  }
  const candidate = normalize(join(root, path));
  const inside = candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep);
  const file = inside && existsSync(candidate) && statSync(candidate).isFile() ? candidate : index;
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "cache-control": file === index ? "no-cache" : "public, max-age=3600",
    "x-content-type-options": "nosniff",
  });
  if (req.method === "HEAD") res.end();
  else streamFile(file, res);
}
