/** Test helpers for packages that drive tunnels: a scripted network, so no socket is opened. */

export { recordingNft } from "./nftables/testing/recording-nft.js";
export { errnoError, FakeNetwork } from "./tunnel/testing/fake-network.js";
