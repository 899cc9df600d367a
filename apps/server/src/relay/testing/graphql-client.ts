import { knownToken } from "../../testing/known-tokens.js";

/**
 * Posts one GraphQL operation to a running daemon the way a third party would. Without `token`, the one
 * of the test daemon at `url` is sent (pass "" to send none).
 */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const sent = token ?? knownToken(url);
  const response = await fetch(new URL("graphql", url), {
    method: "POST",
    headers: { "content-type": "application/json", ...(sent ? { authorization: `Bearer ${sent}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as never;
}

/** Asks until `test` holds for the answer; fails with the last answer after `timeoutMs`. */
export async function gqlUntil<T>(
  url: string,
  query: string,
  test: (data: T) => boolean,
  timeoutMs = 30_000,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await gql<T>(url, query, variables, token);
    if (answer.data && test(answer.data)) return answer.data;
    if (Date.now() > deadline) throw new Error(`never true; last answer: ${JSON.stringify(answer)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
