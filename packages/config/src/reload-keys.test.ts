import { describe, expect, it } from "vitest";
import { loadConfig } from "./load.js";
import { changedKeys, effectiveConfig, RELOAD_KEYS } from "./reload-keys.js";
import { configSchema } from "./schema.js";

const base = () => loadConfig({ env: {} }).config;

describe("which reloaded keys apply and which wait for a restart", () => {
  it("knows every top-level key of the config schema", () => {
    const known = new Set(RELOAD_KEYS.map((k) => k.path[0]));
    expect(Object.keys(configSchema.shape).filter((key) => !known.has(key))).toEqual([]);
  });

  it("reports nothing for an identical config", () => {
    expect(changedKeys(base(), base())).toEqual([]);
  });

  it("keeps the running listen address and token while applying the allowed origins beside them", () => {
    const running = base();
    const next = base();
    next.api = {
      listen: "0.0.0.0:9000",
      token: "a-long-enough-token",
      corsOrigins: ["https://dash.example"],
    };
    const changed = changedKeys(running, next);
    expect(changed).toEqual([
      { key: "api.listen", effect: "restart" },
      { key: "api.token", effect: "restart" },
      { key: "api.corsOrigins", effect: "applies" },
    ]);
    const effective = effectiveConfig(running, next, changed);
    expect(effective.api).toEqual({ listen: running.api.listen, corsOrigins: ["https://dash.example"] });
    expect(next.api.listen).toBe("0.0.0.0:9000");
  });

  it("applies a changed upnp section at once (its mappings follow), instead of waiting for a restart", () => {
    const running = base();
    const next = base();
    next.upnp = { enabled: "auto", leaseSeconds: 900 };
    const changed = changedKeys(running, next);
    expect(changed).toEqual([{ key: "upnp", effect: "applies" }]);
    expect(effectiveConfig(running, next, changed).upnp).toEqual({ enabled: "auto", leaseSeconds: 900 });
  });

  it("counts a key it does not know as needing a restart, never as applied", () => {
    const running = { ...base(), someday: { enabled: false } } as ReturnType<typeof base>;
    const next = { ...base(), someday: { enabled: true } } as ReturnType<typeof base>;
    expect(changedKeys(running, next)).toEqual([{ key: "someday", effect: "restart" }]);
    expect(
      (
        effectiveConfig(running, next, changedKeys(running, next)) as unknown as typeof running & {
          someday: unknown;
        }
      ).someday,
    ).toEqual({ enabled: false });
  });
});
