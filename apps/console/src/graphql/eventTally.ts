/**
 * Counts the subscription's events per object (a tunnel id), so that a mutation's answer can tell
 * whether events overtook it. The answer and the events travel on two connections (HTTP and the
 * WebSocket), and a busy machine can hand the page a tunnel's OPEN event before the answer to Start,
 * which still says OPENING. Once an event about the object has arrived after the request left, the
 * events already carry every change the mutation made, and the stale answer must not replace them:
 * nothing would ever correct it, since the daemon sends no further event for a tunnel at rest.
 */
export class EventTally {
  private readonly counts = new Map<string, number>();

  /** An event about `key` reached the page. */
  saw(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Taken when a request about `key` leaves; give it to {@link overtaken} with the answer. */
  mark(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Whether an event about `key` arrived since `mark` was taken. */
  overtaken(key: string, mark: number): boolean {
    return (this.counts.get(key) ?? 0) !== mark;
  }
}
