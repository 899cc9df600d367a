import { type ASTVisitor, GraphQLError, Kind, type ValidationContext } from "graphql";

/** Deepest selection nesting a query may have; our schema needs about 5. */
export const MAX_QUERY_DEPTH = 12;
/** Most tokens a document may have, so a huge query is refused before it is even parsed whole. */
export const MAX_QUERY_TOKENS = 4000;

/** Refuses queries nested deeper than `limit`, following fragments, so a hostile query cannot fan out. */
export function depthLimit(limit: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(
      context
        .getDocument()
        .definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    const depthOf = (
      node: { selectionSet?: { selections: readonly unknown[] } },
      seen: Set<string>,
    ): number => {
      let deepest = 0;
      for (const selection of (node.selectionSet?.selections ?? []) as {
        kind: string;
        name?: { value: string };
        selectionSet?: { selections: readonly unknown[] };
      }[]) {
        if (selection.kind === Kind.FIELD) deepest = Math.max(deepest, 1 + depthOf(selection, seen));
        else if (selection.kind === Kind.INLINE_FRAGMENT)
          deepest = Math.max(deepest, depthOf(selection, seen));
        else if (selection.kind === Kind.FRAGMENT_SPREAD && selection.name) {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (fragment && !seen.has(name))
            deepest = Math.max(deepest, depthOf(fragment, new Set([...seen, name])));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation, new Set());
        if (depth > limit) {
          context.reportError(
            new GraphQLError(`query is ${depth} levels deep; the limit is ${limit}`, { nodes: [operation] }),
          );
        }
      },
    };
  };
}

/**
 * Most root fields one operation may select, aliases counted one by one. Each mutation root field starts
 * real work (a diagnosis, a firewall change), so a request may start only a few; queries only read state.
 */
export const MAX_ROOT_FIELDS = { query: 10, mutation: 3, subscription: 1 } as const;

type SelectionNode = {
  kind: string;
  name?: { value: string };
  selectionSet?: { selections: readonly SelectionNode[] };
};

/** Refuses operations selecting more root fields than `limits` allows, following fragments at the root. */
export function rootFieldLimit(limits: Record<"query" | "mutation" | "subscription", number>) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(
      context
        .getDocument()
        .definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d as unknown as SelectionNode]),
    );
    const count = (node: SelectionNode, seen: ReadonlySet<string>): number => {
      let fields = 0;
      for (const selection of node.selectionSet?.selections ?? []) {
        if (selection.kind === Kind.FIELD) fields++;
        else if (selection.kind === Kind.INLINE_FRAGMENT) fields += count(selection, seen);
        else if (selection.kind === Kind.FRAGMENT_SPREAD && selection.name) {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (fragment && !seen.has(name)) fields += count(fragment, new Set([...seen, name]));
        }
      }
      return fields;
    };
    return {
      OperationDefinition(operation) {
        const limit = limits[operation.operation];
        const fields = count(operation as unknown as SelectionNode, new Set());
        if (fields > limit) {
          context.reportError(
            new GraphQLError(
              `this ${operation.operation} selects ${fields} root fields; at most ${limit} are allowed per request. ` +
                `Send the work as several requests with at most ${limit} root fields each.`,
              { nodes: [operation], extensions: { code: "TOO_MANY_ROOT_FIELDS" } },
            ),
          );
        }
      },
    };
  };
}
