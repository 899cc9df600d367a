/**
 * Just enough XML reading for UPnP: device descriptions and SOAP answers are flat, namespaced element
 * trees with text leaves. Element names are matched without their prefix (`u:Foo` and `Foo` alike).
 */

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name[0] === "#")
      return String.fromCodePoint(
        name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1)),
      );
    return ENTITIES[name] ?? whole;
  });
}

export function encodeEntities(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${Object.entries(ENTITIES).find(([, v]) => v === c)?.[0]};`);
}

/** Inner text of every element called `name` (any prefix), in document order. */
export function elementsNamed(xml: string, name: string): string[] {
  const pattern = new RegExp(
    `<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}\\s*>)`,
    "g",
  );
  return [...xml.matchAll(pattern)].map((m) => m[1] ?? "");
}

/** Decoded text of the first element called `name`, or undefined. */
export function firstText(xml: string, name: string): string | undefined {
  const found = elementsNamed(xml, name)[0];
  return found === undefined ? undefined : decodeEntities(found.trim());
}
