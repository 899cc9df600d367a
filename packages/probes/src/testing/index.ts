/**
 * Test doubles of the probe services: not for production code. Kept behind their own entry so the main
 * entry never offers a replaying runner to the daemon by accident.
 */
export { type FixtureServices, fixtureServices, realServices } from "./fixture-services.js";
export {
  createReplayCommandRunner,
  type RecordedCommand,
  type ReplayCommandRunner,
} from "./replay-command-runner.js";
