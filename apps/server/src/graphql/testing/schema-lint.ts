import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLObjectType,
  type GraphQLSchema,
  GraphQLString,
  getNamedType,
} from "graphql";

/** A String whose description reads like the list of its values: it should be an enum. */
export interface ClosedSetFinding {
  /** `Type.field`, `Type.field(arg)` or `Input.field`. */
  where: string;
  /** The words of the description that list the values. */
  listed: string;
}

/** A value as descriptions quote it: "userspace", 'tcp' or `nftables`. */
const QUOTED = String.raw`(?:"[^"\s]+"|'[^'\s]+'|\x60[^\x60\s]+\x60)`;
/** What separates two listed values: a comma, or, and, a slash or a bar, maybe after a remark in brackets. */
const SEPARATOR = String.raw`\s*(?:\([^)]*\)\s*)?(?:,\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+|\s*[/|]\s*)`;
/** A constant-like word (ACTIVE, NAT_PMP); not the start of a hyphenated name such as NAT-PMP. */
const CONSTANT = String.raw`\b[A-Z][A-Z0-9_]+\b(?![-.])`;
/** A bare lower-case word (qbittorrent, aria2, nat-pmp). */
const WORD = String.raw`\b[a-z][a-z0-9_-]*\b`;

const CONSTANT_LIST = new RegExp(`${CONSTANT}(?:${SEPARATOR}${CONSTANT})+`, "g");

/**
 * Two or more constants in a list, when they read as values: three or more (ACTIVE, FAILED or IDLE), or
 * one with an underscore (CREDENTIALS_REFUSED or OTHER). Two bare acronyms ("UI or RPC") are prose.
 */
function constantList(description: string): string | undefined {
  for (const found of description.matchAll(CONSTANT_LIST)) {
    const words = found[0].match(new RegExp(CONSTANT, "g")) ?? [];
    if (words.length >= 3 || words.some((word) => word.includes("_"))) return found[0];
  }
  return undefined;
}

const PATTERNS: readonly RegExp[] = [
  // "one of" or "either" followed by a value: "one of: a, b", "one of `x`", "either userspace or nftables".
  new RegExp(`\\b[Oo]ne of:?\\s+(?:${QUOTED}|${CONSTANT}|${WORD},)`),
  new RegExp(`\\b[Ee]ither\\s+(?:${QUOTED}|${CONSTANT}|${WORD}\\s+or\\s+${WORD}\\b)`),
  // Two quoted values in a list: "userspace" (default) or "nftables".
  new RegExp(`${QUOTED}${SEPARATOR}${QUOTED}`),
  // Three or more bare words in a list that ends with "or": qbittorrent, transmission or aria2.
  new RegExp(`${WORD}(?:,\\s+${WORD}){1,},?\\s+or\\s+${WORD}`),
];

/** The part of a description that lists values, or undefined when it lists none. */
export function listedValues(description: string | null | undefined): string | undefined {
  if (!description) return undefined;
  for (const pattern of PATTERNS) {
    const found = pattern.exec(description);
    if (found) return found[0];
  }
  return constantList(description);
}

function isString(type: GraphQLField<unknown, unknown>["type"] | GraphQLInputField["type"]): boolean {
  return getNamedType(type) === GraphQLString;
}

/**
 * Every String field, argument and input field of the schema whose description lists its values. A closed
 * set belongs in an enum, where clients see the values, tools check them and the server refuses others.
 */
export function findClosedSetStrings(schema: GraphQLSchema): ClosedSetFinding[] {
  const findings: ClosedSetFinding[] = [];
  const note = (where: string, description: string | null | undefined) => {
    const listed = listedValues(description);
    if (listed !== undefined) findings.push({ where, listed });
  };
  const noteArgs = (owner: string, args: readonly GraphQLArgument[]) => {
    for (const arg of args) if (isString(arg.type)) note(`${owner}(${arg.name})`, arg.description);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    if (type instanceof GraphQLObjectType || type instanceof GraphQLInterfaceType) {
      for (const field of Object.values(type.getFields())) {
        const where = `${type.name}.${field.name}`;
        if (isString(field.type)) note(where, field.description);
        noteArgs(where, field.args);
      }
    } else if (type instanceof GraphQLInputObjectType) {
      for (const field of Object.values(type.getFields()))
        if (isString(field.type)) note(`${type.name}.${field.name}`, field.description);
    }
  }
  return findings;
}
