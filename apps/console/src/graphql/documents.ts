import { graphql } from "./graphql.js";

// One fragment for every place a check arrives from (query, mutation, subscription), so the merged
// list never holds a check with fields missing.
export const CHECK_FIELDS = graphql(`
  fragment CheckFields on Check {
    id
    title
    category
    status
    summary
    facts
    guidance {
      title
      steps
      docs
    }
    remedies {
      id
      title
      description
      commands
      requiresRoot
    }
    dependsOn
    startedAt
    finishedAt
    durationMs
  }
`);

/** Every check with its latest outcome. */
export const CHECKS_QUERY = graphql(
  `
    query Checks {
      checks {
        ...CheckFields
      }
    }
  `,
  [CHECK_FIELDS],
);

/** Runs all checks (no ids) or the given ones; resolves when the run finished. */
export const RUN_CHECKS_MUTATION = graphql(
  `
    mutation RunChecks($ids: [ID!]) {
      runChecks(ids: $ids) {
        ...CheckFields
      }
    }
  `,
  [CHECK_FIELDS],
);

/** Applies a remedy the user confirmed. */
export const APPLY_REMEDY_MUTATION = graphql(
  `
    mutation ApplyRemedy($checkId: ID!, $remedyId: ID!) {
      applyRemedy(checkId: $checkId, remedyId: $remedyId) {
        ok
        message
        check {
          ...CheckFields
        }
      }
    }
  `,
  [CHECK_FIELDS],
);

/** Every status change of every check, as it happens. */
export const CHECK_UPDATED_SUBSCRIPTION = graphql(
  `
    subscription CheckUpdated {
      checkUpdated {
        ...CheckFields
      }
    }
  `,
  [CHECK_FIELDS],
);
