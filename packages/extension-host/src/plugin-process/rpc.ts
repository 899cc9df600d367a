/**
 * A small symmetric RPC over any message pipe (here Node's IPC): both ends send requests, answer them,
 * cancel them and send one-way notes. An AbortSignal cannot cross a process boundary, so aborting a request
 * sends a cancel message and the other end's handler sees its own signal abort; its answer still settles
 * the request. If the other end dies, close() settles everything pending.
 */

import { type LocalizedText, localize } from "@autostun/plugins-api";
import { formatBytes } from "../checks/validate-result.js";

export type RpcMessage =
  | { t: "req"; id: number; method: string; params: unknown }
  | { t: "res"; id: number; value?: unknown; error?: string }
  | { t: "cancel"; id: number; reason: string }
  | { t: "note"; method: string; params: unknown };

export type RequestHandler = (params: unknown, signal: AbortSignal) => unknown;
export type NoteHandler = (params: unknown) => void;

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

export interface RpcOptions {
  /** Outgoing messages larger than this are refused here instead of being sent. */
  maxMessageBytes?: number;
  /** Called when a message cannot be sent or an incoming one is malformed. */
  onProblem?: (problem: string) => void;
}

interface Pending {
  label: LocalizedText;
  resolve(value: unknown): void;
  reject(error: Error): void;
  cleanup(): void;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function isMessage(value: unknown): value is RpcMessage {
  if (typeof value !== "object" || value === null) return false;
  const message = value as { t?: unknown; id?: unknown; method?: unknown };
  switch (message.t) {
    case "req":
      return typeof message.id === "number" && typeof message.method === "string";
    case "res":
    case "cancel":
      return typeof message.id === "number";
    case "note":
      return typeof message.method === "string";
    default:
      return false;
  }
}

export class RpcChannel {
  private nextId = 1;
  private closedBecause: ((label: LocalizedText) => Error) | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly handling = new Map<number, AbortController>();
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly noteHandlers = new Map<string, NoteHandler>();

  constructor(
    private readonly transmit: (message: RpcMessage) => void,
    private readonly options: RpcOptions = {},
  ) {}

  handle(method: string, handler: RequestHandler): void {
    this.handlers.set(method, handler);
  }

  onNote(method: string, handler: NoteHandler): void {
    this.noteHandlers.set(method, handler);
  }

  get closed(): boolean {
    return this.closedBecause !== undefined;
  }

  request<T>(method: string, params: unknown, options: RequestOptions = {}): Promise<T> {
    const label = options.label ?? method;
    if (this.closedBecause) return Promise.reject(this.closedBecause(label));
    const { signal } = options;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
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
        resolve: resolve as (value: unknown) => void,
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

  notify(method: string, params: unknown): void {
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
    const handler = this.noteHandlers.get(method);
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
    if (error !== undefined) pending.reject(new Error(String(error)));
    else pending.resolve(value);
  }

  private async answer(id: number, method: string, params: unknown): Promise<void> {
    const handler = this.handlers.get(method);
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
