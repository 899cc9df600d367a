/**
 * Small type guards for what crosses the pipe between the daemon and a plugin's process. A message arrives
 * as `unknown`; each guard looks at it and, when it fits, TypeScript narrows it to the protocol's type, so
 * neither end needs a cast and neither end trusts the other's shapes blindly.
 */

import type { LocalizedText } from "@autostun/plugins-api";

export type Guard<T> = (value: unknown) => value is T;

/** The type a guard narrows to. */
export type Guarded<G> = G extends Guard<infer T> ? T : never;

export const isAnything = (_value: unknown): _value is unknown => true;
export const isString = (value: unknown): value is string => typeof value === "string";
export const isNumber = (value: unknown): value is number => typeof value === "number";
export const isBoolean = (value: unknown): value is boolean => typeof value === "boolean";

/** A plain object (not null, not an array): the shape every message body has. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function oneOf<const T extends string>(values: readonly T[]): Guard<T> {
  return (value): value is T => values.some((candidate) => candidate === value);
}

export function optional<T>(guard: Guard<T>): Guard<T | undefined> {
  return (value): value is T | undefined => value === undefined || guard(value);
}

export function listOf<T>(guard: Guard<T>): Guard<T[]> {
  return (value): value is T[] => Array.isArray(value) && value.every(guard);
}

export function recordOf<T>(guard: Guard<T>): Guard<Record<string, T>> {
  return (value): value is Record<string, T> => isRecord(value) && Object.values(value).every(guard);
}

type Shaped<S extends Record<string, Guard<unknown>>> = { [K in keyof S]: Guarded<S[K]> };

/** An object whose listed keys each pass their guard; other keys are allowed and left alone. */
export function shape<S extends Record<string, Guard<unknown>>>(fields: S): Guard<Shaped<S>> {
  return (value): value is Shaped<S> =>
    isRecord(value) && Object.entries(fields).every(([key, guard]) => guard(value[key]));
}

export function either<A, B>(first: Guard<A>, second: Guard<B>): Guard<A | B> {
  return (value): value is A | B => first(value) || second(value);
}

/** A string, or an object with one string per locale and at least `en`. */
export function isLocalizedText(value: unknown): value is LocalizedText {
  if (typeof value === "string") return true;
  return (
    isRecord(value) &&
    typeof value.en === "string" &&
    Object.values(value).every((text) => text === undefined || typeof text === "string")
  );
}
