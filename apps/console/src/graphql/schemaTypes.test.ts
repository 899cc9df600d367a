import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildSchema,
  type DocumentNode,
  isEnumType,
  Kind,
  print,
  specifiedScalarTypes,
  validate,
} from "graphql";
import { describe, expect, it } from "vitest";

// The console's types come from the daemon's schema through its documents (gql.tada). These tests keep
// it so: no hand-written copy of a schema type, and every document valid against the printed schema.

const source = fileURLToPath(new URL("..", import.meta.url));
const schemaText = readFileSync(
  fileURLToPath(new URL("../../../server/schema.graphql", import.meta.url)),
  "utf8",
);
const schema = buildSchema(schemaText);

/** Generated from the schema (the only place its types are spelt out), and this file's own examples. */
const EXEMPT = new Set(["graphql/graphql-env.d.ts", "graphql/schemaTypes.test.ts"]);

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !EXEMPT.has(relative(source, path)) ? [path] : [];
  });
}

const files = sourceFiles(source).map((path) => ({
  name: relative(source, path),
  text: readFileSync(path, "utf8"),
}));

const builtIn = new Set(specifiedScalarTypes.map((type) => type.name));
const schemaNames = new Set(
  Object.keys(schema.getTypeMap()).filter((name) => !name.startsWith("__") && !builtIn.has(name)),
);

/**
 * A type alias that takes its shape from a document (`ResultOf<typeof X>`, `VariablesOf`, `FragmentOf`)
 * or from such a type by indexing (`Tunnel["state"]`), possibly without null; nothing spelt out.
 */
function isDerived(right: string): boolean {
  const shape = right.trim();
  return (
    /^(NonNullable<\s*)?((ResultOf|VariablesOf|FragmentOf)<|[A-Z]\w*\[)/.test(shape) &&
    !shape.includes("{") &&
    !/"[^"]*"\s*\|/.test(shape)
  );
}

/** `file: declaration` for every type, interface, enum or class named like a schema type and not derived. */
export function handWrittenMirrors(
  sources: readonly { name: string; text: string }[],
  names: ReadonlySet<string>,
): string[] {
  const found: string[] = [];
  const declaration =
    /^\s*(?:export\s+)?(?:declare\s+)?(type|interface|enum|class)\s+([A-Za-z_]\w*)\b([^;]*)/gm;
  for (const { name, text } of sources) {
    for (const match of text.matchAll(declaration)) {
      const [, keyword, typeName = "", rest = ""] = match;
      if (!names.has(typeName)) continue;
      const equals = rest.indexOf("=");
      if (keyword === "type" && equals >= 0 && isDerived(rest.slice(equals + 1))) continue;
      found.push(`${name}: ${keyword} ${typeName}`);
    }
  }
  return found;
}

/** `file: "A" | "B"` for every string-literal union that lists two or more values of one schema enum. */
export function enumValueUnions(
  sources: readonly { name: string; text: string }[],
  enums: readonly { name: string; values: ReadonlySet<string> }[],
): string[] {
  const found: string[] = [];
  const union = /"[^"\n]*"(?:\s*\|\s*"[^"\n]*")+/g;
  for (const { name, text } of sources) {
    for (const [written] of text.matchAll(union)) {
      const members = [...written.matchAll(/"([^"\n]*)"/g)].map((member) => member[1] ?? "");
      const mirrored = enums.find(({ values }) => members.filter((member) => values.has(member)).length >= 2);
      if (mirrored) found.push(`${name}: ${written} (enum ${mirrored.name})`);
    }
  }
  return found;
}

const schemaEnums = Object.values(schema.getTypeMap())
  .filter(isEnumType)
  .filter((type) => !type.name.startsWith("__"))
  .map((type) => ({ name: type.name, values: new Set(type.getValues().map((value) => value.name)) }));

describe("the console's types come from the schema", () => {
  it("has no hand-written copy of a schema type: derive it from a document with ResultOf/VariablesOf", () => {
    expect(handWrittenMirrors(files, schemaNames)).toEqual([]);
  });

  it("spells out no enum of the schema as a union of its values: index a document's type instead", () => {
    expect(enumValueUnions(files, schemaEnums)).toEqual([]);
  });

  it("would notice a copy coming back", () => {
    const copies = [
      {
        name: "copy.ts",
        text: [
          'export type TunnelState = "STOPPED" | "OPENING" | "OPEN";',
          "export interface Check {\n  id: string;\n}",
          "type TunnelUpnp = { state: string };",
          "export type Tunnel = ResultOf<typeof TUNNEL_FIELDS>;",
          'export type TunnelPath = Tunnel["path"];',
          'type Phase = "connecting" | "live";',
        ].join("\n"),
      },
    ];
    expect(handWrittenMirrors(copies, schemaNames)).toEqual([
      "copy.ts: type TunnelState",
      "copy.ts: interface Check",
      "copy.ts: type TunnelUpnp",
    ]);
    expect(enumValueUnions(copies, schemaEnums)).toEqual([
      'copy.ts: "STOPPED" | "OPENING" | "OPEN" (enum TunnelState)',
    ]);
  });
});

const documentModules = import.meta.glob<Record<string, unknown>>("../**/documents.ts", { eager: true });

function isDocument(value: unknown): value is DocumentNode {
  return typeof value === "object" && value !== null && (value as DocumentNode).kind === Kind.DOCUMENT;
}

const operations = Object.entries(documentModules).flatMap(([path, exports]) =>
  Object.entries(exports)
    .filter((entry): entry is [string, DocumentNode] => isDocument(entry[1]))
    // A fragment alone is checked where an operation uses it.
    .filter(([, document]) => document.definitions.some((node) => node.kind === Kind.OPERATION_DEFINITION))
    .map(([name, document]) => ({ where: `${path} ${name}`, document })),
);

describe("every operation the console sends", () => {
  it("is found", () => {
    expect(operations.length).toBeGreaterThanOrEqual(20);
  });

  it.for(operations.map(({ where, document }) => [where, document] as const))(
    "%s is valid against apps/server/schema.graphql",
    ([, document]) => {
      expect(validate(schema, document).map((error) => error.message)).toEqual([]);
      // Each fragment it spreads travels with it exactly once.
      const names = document.definitions.flatMap((node) =>
        node.kind === Kind.FRAGMENT_DEFINITION ? [node.name.value] : [],
      );
      expect(new Set(names).size, print(document)).toBe(names.length);
    },
  );
});
