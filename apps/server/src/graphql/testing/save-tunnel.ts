/**
 * saveTunnel for tests: the mutation with its payload selected, and what a refusal said. A refusal the
 * input can fix is data (`problems`); one it cannot (storage, limits, a value GraphQL itself refuses) is
 * an error. Tests that only care that it was refused, and why, read both through `refusal`.
 */

/** saveTunnel with `$input`, selecting the saved tunnel's id and state and every problem. */
export const SAVE_TUNNEL = `mutation ($input: TunnelInput!) {
  saveTunnel(input: $input) { tunnel { id state } problems { key source message } } }`;

export interface SaveTunnelData {
  saveTunnel: {
    tunnel: { id: string; state: string } | null;
    problems: { key: string; source: string; message: string }[];
  };
}

/** Any GraphQL answer: the helper reads saveTunnel's payload from it when there is one. */
interface Answer {
  data?: unknown;
  errors?: readonly { message: string }[];
}

/** Why saveTunnel refused, one `key: message` line per problem or the errors' messages; "" when it saved. */
export function refusal(answer: Answer): string {
  const payload = (answer.data as Partial<SaveTunnelData> | null | undefined)?.saveTunnel;
  const problems = payload?.problems ?? [];
  const lines = [
    ...problems.map((p) => `${p.key}: ${p.message}`),
    ...(answer.errors ?? []).map((e) => e.message),
  ];
  if (lines.length === 0 && !payload?.tunnel) return "no tunnel and no reason";
  return lines.join("\n");
}
