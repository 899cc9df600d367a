import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decideReachability } from "../relay-reachability/verdict.js";
import { GUIDE_LINKS } from "./links.js";

const guidePath = fileURLToPath(new URL("../../../../docs/user-guide.md", import.meta.url));

/** The anchors GitHub and the console give the guide's headings: lower case, spaces to dashes. */
function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  for (const line of markdown.split("\n")) {
    const heading = /^#{1,6}\s+(.+)$/.exec(line)?.[1];
    if (!heading) continue;
    found.add(
      heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s-]/gu, "")
        .replace(/\s/g, "-"),
    );
  }
  return found;
}

describe("user guide links", () => {
  const headings = anchors(readFileSync(guidePath, "utf8"));

  it.each(Object.entries(GUIDE_LINKS))("%s points at a heading that exists (%s)", (_name, link) => {
    const [path, anchor] = link.split("#");
    expect(path).toBe("docs/user-guide.md");
    expect(headings).toContain(anchor);
  });

  it("sends a user without a tunnel to the section on making one, not to the NAT type", () => {
    const none = decideReachability({ tunnels: [], firewall: undefined, nat: undefined });
    expect(none.guidance?.docs).toBe(GUIDE_LINKS.tunnel);
    const closed = decideReachability({
      tunnels: [{ id: "qb", state: "FAILED" }],
      firewall: undefined,
      nat: undefined,
    });
    expect(closed.guidance?.docs).toBe(GUIDE_LINKS.tunnel);
  });
});
