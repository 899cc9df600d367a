import type { CheckContribution, CheckOutcome, LocalizedText } from "@autostun/plugins-api";

/** A check as the host knows it: what its manifest declared, and which extension provides it. */
export interface CheckDescriptor extends Required<Pick<CheckContribution, "id" | "category">> {
  /** The manifest title, with `%key%` placeholders resolved from the plugin's package.nls files. */
  title: LocalizedText;
  dependsOn: string[];
  platforms?: CheckContribution["platforms"];
  timeoutMs: number;
  extensionId: string;
}

/** The latest state of one check, as the API and the CLI show it. */
export interface CheckState extends CheckOutcome {
  title: LocalizedText;
  category: string;
  dependsOn: string[];
  extensionId: string;
}
