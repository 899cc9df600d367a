export { LAB_APT_PACKAGES, labAptPackages, STUN_CLIENT_BIN } from "./apt-packages.js";
export { ADDRESSES } from "./lab/addresses.js";
export { ADDRESSES6 } from "./lab/addresses6.js";
export { createLab } from "./lab/create-lab.js";
export { sweepStaleLabs } from "./lab/sweep.js";
export type {
  ExecResult,
  Lab,
  LabExecOptions,
  LabHomeRouter,
  LabHomeRouterInfo,
  LabIpv6,
  LabIpv6Info,
  LabLoss,
  LabNamespaces,
  LabOptions,
  LabPinholeRule,
  LabPortPool,
  LabStunServer,
  NatType,
} from "./lab/types.js";
export { CGNAT_1024_POOL, NAT_TYPES } from "./lab/types.js";
export { buildRuleset } from "./nat/ruleset.js";
