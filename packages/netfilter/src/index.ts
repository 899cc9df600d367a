/**
 * nftables for AutoSTUN: read the ruleset as typed JSON, build tables, sets and rules as nft text, and
 * apply or remove a table of our own in one transaction.
 */
export { Nftables, type NftCallOptions } from "./apply/nft.js";
export { NftError } from "./apply/nft-error.js";
export {
  assertIpv4OrCidr,
  assertIpv6OrCidr,
  type ElementSpec,
  elementsScript,
  elementText,
} from "./build/elements.js";
export { type LossProtocol, randomDropRule } from "./build/loss-rules.js";
export { assertName } from "./build/names.js";
export {
  counterPart,
  dnatRule,
  type Ipv4Endpoint,
  inboundTcpMatch,
  inboundTcpMatch6,
  inboundUdpMatch,
  inboundUdpMatch6,
  redirectRule,
} from "./build/nat-rules.js";
export { deleteRuleCommand, insertRuleCommand } from "./build/rule-commands.js";
export {
  type ChainHook,
  type ChainSpec,
  type CounterSpec,
  counterLine,
  removeTableScript,
  type SetSpec,
  setLine,
  type TableSpec,
  tableScript,
} from "./build/table-script.js";
export { describeRule } from "./ruleset/describe.js";
export { type AddressElement, addressElements } from "./ruleset/elements.js";
export { parseRuleset } from "./ruleset/parse.js";
export type {
  ChainRef,
  NftChain,
  NftCounter,
  NftFamily,
  NftRule,
  NftRuleset,
  NftSet,
  NftTable,
  SetRef,
  TableRef,
} from "./ruleset/types.js";
