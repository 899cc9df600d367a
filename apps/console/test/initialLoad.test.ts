import { describe, expect, it } from "vitest";
import { type BundleEntry, initialLoadFiles, initialLoadReport, measure } from "../build/initialLoad.js";

const html = `<!doctype html><html><head>
<script type="module" crossorigin src="./assets/index-A.js"></script>
<link rel="modulepreload" crossorigin href="./assets/vendor-B.js">
<link rel="stylesheet" crossorigin href="./assets/index-C.css">
</head><body><div id="root"></div></body></html>`;

const bundle: Record<string, BundleEntry> = {
  "index.html": { type: "asset", fileName: "index.html", source: html },
  "assets/index-A.js": {
    type: "chunk",
    fileName: "assets/index-A.js",
    code: "import './shared-D.js';",
    imports: ["assets/shared-D.js"],
  },
  "assets/vendor-B.js": {
    type: "chunk",
    fileName: "assets/vendor-B.js",
    code: "x".repeat(2000),
    imports: [],
  },
  "assets/shared-D.js": { type: "chunk", fileName: "assets/shared-D.js", code: "shared", imports: [] },
  "assets/lazy-E.js": { type: "chunk", fileName: "assets/lazy-E.js", code: "lazy page", imports: [] },
  "assets/index-C.css": {
    type: "asset",
    fileName: "assets/index-C.css",
    source: new TextEncoder().encode("body{}"),
  },
  "assets/photo.png": { type: "asset", fileName: "assets/photo.png", source: new Uint8Array(10) },
};

describe("initial load", () => {
  it("counts the page, what it references and what those scripts import, not lazy chunks", () => {
    expect(initialLoadFiles(bundle)).toEqual([
      "assets/index-A.js",
      "assets/index-C.css",
      "assets/shared-D.js",
      "assets/vendor-B.js",
      "index.html",
    ]);
  });

  it("measures gzipped sizes and fails a load over the budget", () => {
    const files = measure(bundle, initialLoadFiles(bundle));
    const vendor = files.find((file) => file.fileName === "assets/vendor-B.js");
    expect(vendor?.bytes).toBe(2000);
    expect(vendor?.gzipBytes).toBeLessThan(100);
    const total = files.reduce((sum, file) => sum + file.gzipBytes, 0);
    expect(initialLoadReport(files, total).fits).toBe(true);
    const over = initialLoadReport(files, total - 1);
    expect(over.fits).toBe(false);
    expect(over.text).toContain("assets/vendor-B.js");
    expect(over.text).toMatch(/total .* gzip/);
  });

  it("says so when the build has no page to start from", () => {
    expect(() => initialLoadFiles({})).toThrow(/no index\.html/);
  });
});
