/**
 * A small symmetric RPC over any message pipe (here Node's IPC): both ends send requests, answer them,
 * cancel them and send one-way notes. An AbortSignal cannot cross a process boundary, so aborting a request
 * sends a cancel message and the other end's handler sees its own signal abort; its answer still settles
 * the request. If the other end dies, close() settles everything pending.
 *
 * A channel is typed by the two directions of its protocol: `Send` lists what this end asks and tells,
 * `Receive` what the other end does. Params and answers arriving from the other end are checked against the
 * protocol's guards before a handler or a caller sees them.
 */

import { type LocalizedText, localize } from "@autostun/plugins-api";
import { formatBytes } from "../contributions/validate-result.js";
import { isNumber, isRecord, isString } from "./guards.js";
import type { Direction, DirectionGuards } from "./protocol.js";

export type RpcMessage =
  | { t: "req"; id: number; method: string; params: unknown }
  | { t: "res"; id: number; value?: unknown; error?: string }
  | { t: "cancel"; id: number; reason: string }
  | { t: "note"; method: string; params: unknown };

/** The names of the requests of a direction. */
export type Method<D extends Direction> = keyof D["requests"] & string;
/** The names of the notifications of a direction. */
export type Note<D extends Direction> = keyof D["notes"] & string;
export type Params<D extends Direction, M extends Method<D>> = D["requests"][M]["params"];
export type Result<D extends Direction, M extends Method<D>> = D["requests"][M]["result"];

export type RequestHandler<D extends Direction, M extends Method<D>> = (
  params: Params<D, M>,
  signal: AbortSignal,
) => Result<D, M> | PromiseLike<Result<D, M>>;

export interface RequestOptions {
  signal?: AbortSignal;
  /** What the request is for, in words ("check nat.type"): named in the error if the other end dies. */
  label?: LocalizedText;
  /**
   * Reject with the signal's reason as soon as it aborts, instead of waiting for the other end's answer:
   * for callers that stop listening on abort anyway, so a call the other end ignores leaves nothing behind.
   */
  settleOnAbort?: boolean;
}

export interface RpcOptions<Send extends Direction, Receive extends Direction> {
  /** The guards of what this end sends: the answers to its requests are checked against them. */
  sends: DirectionGuards<Send>;
  /** The guards of what the other end sends: its requests' params and its notifications. */
  receives: DirectionGuards<Receive>;
  /** Outgoing messages larger than this are refused here instead of being sent. */
  maxMessageBytes?: number;
  /** Called when a message cannot be sent or an incoming one is malformed. */
  onProblem?: (problem: string) => void;
}

interface Pending {
  label: LocalizedText;
  /** Checks the answer against the method's guard, then resolves or rejects. */
  settle(value: unknown): void;
  reject(error: unknown): void;
  cleanup(): void;
}

type ErasedHandler = (params: unknown, signal: AbortSignal) => unknown;

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Narrows a message from the pipe to the envelope: a request, an answer, a cancel or a notification. */
function isMessage(value: unknown): value is RpcMessage {
  if (!isRecord(value)) return false;
  switch (value.t) {
    case "req":
      return isNumber(value.id) && isString(value.method);
    case "res":
      return isNumber(value.id) && (value.error === undefined || isString(value.error));
    case "cancel":
      return isNumber(value.id) && isString(value.reason);
    case "note":
      return isString(value.method);
    default:
      return false;
  }
}

function known<T extends object>(table: T, key: string): key is Extract<keyof T, string> {
  return Object.hasOwn(table, key);
}

export class RpcChannel<Send extends Direction, Receive extends Direction> {
  private nextId = 1;
  private closedBecause: ((label: LocalizedText) => Error) | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly handling = new Map<number, AbortController>();
  private readonly handlers = new Map<string, ErasedHandler>();
  private readonly noteHandlers = new Map<string, (params: unknown) => void>();

  constructor(
    private readonly transmit: (message: RpcMessage) => void,
    private readonly options: RpcOptions<Send, Receive>,
  ) {}

  /** Answers `method`; the handler runs only for params that fit the method's guard. */
  handle<M extends Method<Receive>>(method: M, handler: RequestHandler<Receive, M>): void {
    const fits = this.options.receives.requests[method].params;
    this.handlers.set(method, (params, signal) => {
      if (!fits(params)) throw new Error(`the params of ${method} do not fit the protocol`);
      return handler(params, signal);
    });
  }

  onNote<N extends Note<Receive>>(method: N, handler: (params: Receive["notes"][N]) => void): void {
    const fits = this.options.receives.notes[method];
    this.noteHandlers.set(method, (params) => {
      if (!fits(params)) throw new Error("its params do not fit the protocol");
      handler(params);
    });
  }

  get closed(): boolean {
    return this.closedBecause !== undefined;
  }

  request<M extends Method<Send>>(
    method: M,
    params: Params<Send, M>,
    options: RequestOptions = {},
  ): Promise<Result<Send, M>> {
    const label = options.label ?? method;
    if (this.closedBecause) return Promise.reject(this.closedBecause(label));
    const fits = this.options.sends.requests[method].result;
    const { signal } = options;
    const id = this.nextId++;
    return new Promise<Result<Send, M>>((resolve, reject) => {
      // As with an in-process call, the callee decides what an abort means (most answer "aborted" at once),
      // so the request stays pending until the other end answers or dies.
      const onAbort = () => {
        if (!this.pending.has(id)) return;
        this.send({ t: "cancel", id, reason: errorText(signal?.reason) });
        if (options.settleOnAbort) {
          this.pending.delete(id);
          reject(signal?.reason);
        }
      };
      this.pending.set(id, {
        label,
        settle: (value) => {
          if (fits(value)) resolve(value);
          else reject(new Error(`the answer to ${localize(label)} does not fit the protocol`));
        },
        reject,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      });
      const problem = this.send({ t: "req", id, method, params });
      if (problem) {
        this.settle(id, undefined, `${localize(label)} could not be sent: ${problem}`);
        return;
      }
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  notify<N extends Note<Send>>(method: N, params: Send["notes"][N]): void {
    if (!this.closedBecause) this.send({ t: "note", method, params });
  }

  /** Feeds one message from the other end. Unknown shapes are reported, never thrown. */
  receive(message: unknown): void {
    if (!isMessage(message)) {
      this.options.onProblem?.("received a message that is not part of the protocol");
      return;
    }
    switch (message.t) {
      case "res":
        this.settle(message.id, message.value, message.error);
        return;
      case "cancel":
        this.handling.get(message.id)?.abort(new Error(message.reason));
        return;
      case "note":
        this.deliverNote(message.method, message.params);
        return;
      case "req":
        void this.answer(message.id, message.method, message.params);
        return;
    }
  }

  /** Settles every pending request with the error `reason(label)` makes, and refuses new ones. */
  close(reason: (label: LocalizedText) => Error): void {
    if (this.closedBecause) return;
    this.closedBecause = reason;
    for (const [id, pending] of [...this.pending]) {
      this.pending.delete(id);
      pending.cleanup();
      pending.reject(reason(pending.label));
    }
    for (const controller of this.handling.values()) controller.abort(reason("its calls"));
    this.handling.clear();
  }

  private deliverNote(method: string, params: unknown): void {
    const handler = known(this.options.receives.notes, method) ? this.noteHandlers.get(method) : undefined;
    if (!handler) {
      this.options.onProblem?.(`received an unknown notification ${JSON.stringify(method).slice(0, 80)}`);
      return;
    }
    try {
      handler(params);
    } catch (error) {
      this.options.onProblem?.(`handling ${method} failed: ${errorText(error)}`);
    }
  }

  private settle(id: number, value: unknown, error: string | undefined): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    pending.cleanup();
    if (error !== undefined) pending.reject(new Error(error));
    else pending.settle(value);
  }

  private async answer(id: number, method: string, params: unknown): Promise<void> {
    const handler = known(this.options.receives.requests, method) ? this.handlers.get(method) : undefined;
    if (!handler) {
      this.send({ t: "res", id, error: `no handler for ${JSON.stringify(method).slice(0, 80)}` });
      return;
    }
    const controller = new AbortController();
    this.handling.set(id, controller);
    let reply: RpcMessage;
    try {
      reply = { t: "res", id, value: await handler(params, controller.signal) };
    } catch (error) {
      reply = { t: "res", id, error: errorText(error) };
    } finally {
      this.handling.delete(id);
    }
    if (this.closedBecause) return;
    const problem = this.send(reply);
    if (problem) this.send({ t: "res", id, error: `the answer to ${method} could not be sent: ${problem}` });
  }

  /** Sends one message; returns why it could not be sent, or undefined. */
  private send(message: RpcMessage): string | undefined {
    const limit = this.options.maxMessageBytes;
    try {
      if (limit !== undefined) {
        // Measured before sending so a huge value never crosses the pipe at all.
        const bytes = Buffer.byteLength(JSON.stringify(message) ?? "");
        if (bytes > limit) return `it is ${formatBytes(bytes)}, over the ${formatBytes(limit)} limit`;
      }
      this.transmit(message);
      return undefined;
    } catch (error) {
      const problem = errorText(error);
      this.options.onProblem?.(`could not send a message: ${problem}`);
      return problem;
    }
  }
}
