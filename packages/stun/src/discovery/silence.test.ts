import { describe, expect, it } from "vitest";
import { SILENCE_CONTROLS_NEEDED, SILENCE_MAX_ROUNDS, wrongSilenceChance } from "./silence.js";

/**
 * The design argument for "never wrong under loss", as numbers. A wrong filtering verdict needs a
 * probe whose answers do get through to be called silent. With 30 % loss each way a round trip succeeds
 * with p = 0.7² = 0.49; with 10 %, p = 0.81.
 */
describe("how often a silence can be wrong", () => {
  const at30 = wrongSilenceChance(0.49);
  const at10 = wrongSilenceChance(0.81);

  it("is about 2 in a million per probe at 30 % loss, and far less at 10 %", () => {
    expect(at30).toBeLessThan(3e-6);
    expect(at10).toBeLessThan(1e-9);
  });

  it("stays below 1e-4 at any loss rate: heavy loss mostly ends in 'inconclusive' instead", () => {
    let worst = 0;
    for (let p = 0.01; p < 1; p += 0.01) worst = Math.max(worst, wrongSilenceChance(p));
    expect(worst).toBeLessThan(1e-4);
  });

  it("would be far likelier with the old rule (3 sends, no control): the defect this replaces", () => {
    const threeSendsAllLost = (1 - 0.49) ** 3;
    expect(threeSendsAllLost).toBeGreaterThan(0.1);
    expect(threeSendsAllLost / at30).toBeGreaterThan(10_000);
  });

  it("uses the constants the discovery uses", () => {
    expect(wrongSilenceChance(0.49, SILENCE_CONTROLS_NEEDED, SILENCE_MAX_ROUNDS)).toBe(at30);
  });
});
