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
