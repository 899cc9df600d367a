/** Test helpers for packages that drive tunnels: a scripted network, so no socket is opened. */
export { errnoError, FakeNetwork } from "./tunnel/testing/fake-network.js";
