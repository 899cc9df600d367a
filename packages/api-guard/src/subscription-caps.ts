import type { IncomingMessage } from "node:http";
import { DEFAULT_SUBSCRIPTIONS_PER_CLIENT, DEFAULT_SUBSCRIPTIONS_TOTAL } from "@autostun/config";
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

export interface SubscriptionLimits {
  perClient: number;
  total: number;
}

/** Reads the configured caps for one request; undefined (or a throw) means the defaults. */
export type SubscriptionLimitsOf<Context> = (context: Context) => Partial<SubscriptionLimits> | undefined;

function limitsOf<Context>(read: SubscriptionLimitsOf<Context>, context: Context): SubscriptionLimits {
  let configured: Partial<SubscriptionLimits> | undefined;
  try {
    configured = read(context);
  } catch {
    // A pipeline built without the daemon's container (a unit test) takes the defaults.
  }
  return {
    perClient: configured?.perClient ?? DEFAULT_SUBSCRIPTIONS_PER_CLIENT,
    total: configured?.total ?? DEFAULT_SUBSCRIPTIONS_TOTAL,
  };
}

/** IPv4 clients of a dual-stack socket arrive as ::ffff:a.b.c.d; they are the same client as a.b.c.d. */
function clientAddress(req: IncomingMessage | undefined): string {
  const address = req?.socket?.remoteAddress ?? "unknown";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

function refusal(message: string, limit: string, max: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "SUBSCRIPTION_LIMIT", limit, max } });
}

/** Open subscriptions, per client address and in all, and the claims that count them. */
export class SubscriptionCounter {
  private readonly byClient = new Map<string, number>();
  private total = 0;

  /** Takes a place for one subscription; the release gives it back (once, however often it is called). */
  claim(address: string, limits: SubscriptionLimits): (() => void) | GraphQLError {
    const held = this.byClient.get(address) ?? 0;
    if (held >= limits.perClient)
      return refusal(
        `too many subscriptions from ${address}: at most ${limits.perClient} per client (api.subscriptions.perClient); close one first`,
        "api.subscriptions.perClient",
        limits.perClient,
      );
    if (this.total >= limits.total)
      return refusal(
        `too many subscriptions: the daemon holds at most ${limits.total} at once (api.subscriptions.total); try again later`,
        "api.subscriptions.total",
        limits.total,
      );
    this.byClient.set(address, held + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byClient.get(address) ?? 1) - 1;
      if (left > 0) this.byClient.set(address, left);
      else this.byClient.delete(address);
    };
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterableIterator<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/** The same stream, giving its place back when it ends, fails or the client leaves (return). */
function releasing<T>(source: AsyncIterableIterator<T>, release: () => void): AsyncIterableIterator<T> {
  return {
    async next() {
      try {
        const result = await source.next();
        if (result.done) release();
        return result;
      } catch (error) {
        release();
        throw error;
      }
    },
    async return(value?: unknown) {
      release();
      return (await source.return?.(value)) ?? { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      release();
      if (source.throw) return source.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Caps subscriptions per client address and in total, over SSE and WebSocket alike (both run through
 * yoga's pipeline). Each subscription holds a bus listener and a buffer; uncapped, one client could
 * open thousands. Past a cap the subscription is refused with an error naming the config key.
 */
export function subscriptionCaps<Context extends { req?: IncomingMessage }>(
  configured: SubscriptionLimitsOf<Context>,
): Plugin<Context> {
  const counter = new SubscriptionCounter();
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const context = args.contextValue;
      const claim = counter.claim(clientAddress(context.req), limitsOf(configured, context));
      if (claim instanceof GraphQLError) {
        setResultAndStopExecution({ errors: [claim] });
        return;
      }
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(releasing(result, claim));
          else claim();
        },
        onSubscribeError() {
          claim();
        },
      };
    },
  };
}
