/** One benchmark that `npm run bench -- <name>` can run. */
export interface Bench {
  /** What to type after `npm run bench --`. */
  name: string;
  /** One line for the list of available benches. */
  description: string;
  /** Runs the bench with the arguments after its name; resolves to the process exit code. */
  run(args: readonly string[]): Promise<number>;
}
