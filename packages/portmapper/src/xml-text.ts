/**
 * Just enough XML reading for UPnP: device descriptions and SOAP answers are flat, namespaced element
 * trees with text leaves. Element names are matched without their prefix (`u:Foo` and `Foo` alike).
 */

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name[0] !== "#") return ENTITIES[name] ?? whole;
    const code =
      name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    // A reference past U+10FFFF from a router is left as written, not thrown at whoever reads the text.
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
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
