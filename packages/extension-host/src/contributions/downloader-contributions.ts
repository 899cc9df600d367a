import type {
  ContributionReceiver,
  DownloaderContribution,
  DownloaderFactory,
  ExtensionContributions,
  ExtensionPointDescriptor,
  LocalizedText,
} from "@autostun/plugins-api";
import { z } from "zod";
import { downloaderText } from "./downloader-messages.js";
import type { ExtensionPointRegistry } from "./extension-points.js";

const downloaderContribution = z.object({
  kind: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and "-", like "qbittorrent"'),
  title: z.string().min(1).optional(),
  defaultUrl: z.url({ protocol: /^https?$/ }).optional(),
});

/** `contributes.downloaders`: owned by the downloader feature, the one part of the daemon that pushes ports. */
export const downloadersPoint: ExtensionPointDescriptor<DownloaderContribution> = {
  name: "downloaders",
  schema: downloaderContribution,
};

/** A downloader kind as a plugin declared it, and the adapter factory once the plugin registered it. */
export interface DownloaderKind {
  kind: string;
  title: LocalizedText;
  defaultUrl?: string;
  extensionId: string;
  builtin: boolean;
  factory?: DownloaderFactory;
}

/**
 * Which plugin declared which downloader kind, and the factories they registered. The first plugin to
 * declare a kind keeps it (built-ins are read first), so a plugin cannot take over `qbittorrent`.
 */
export class DownloaderContributions implements ContributionReceiver<DownloaderContribution> {
  private readonly kinds = new Map<string, DownloaderKind>();

  added({ extension, items }: ExtensionContributions<DownloaderContribution>): string[] {
    const conflicts: string[] = [];
    for (const item of items) {
      const owner = this.kinds.get(item.kind);
      if (owner) {
        conflicts.push(`downloader kind ${item.kind} is already provided by ${owner.extensionId}`);
        continue;
      }
      this.kinds.set(item.kind, {
        kind: item.kind,
        title: item.title ? extension.localize(item.title) : item.kind,
        ...(item.defaultUrl ? { defaultUrl: item.defaultUrl } : {}),
        extensionId: extension.id,
        builtin: extension.builtin,
      });
    }
    return conflicts;
  }

  removed(extensionId: string): void {
    for (const [kind, entry] of this.kinds) if (entry.extensionId === extensionId) this.kinds.delete(kind);
  }

  list(): DownloaderKind[] {
    return [...this.kinds.values()];
  }

  get(kind: string): DownloaderKind | undefined {
    return this.kinds.get(kind);
  }

  declaredBy(extensionId: string): string[] {
    return this.list()
      .filter((entry) => entry.extensionId === extensionId)
      .map((entry) => entry.kind);
  }

  /** Sets the factory of a kind the extension declared; returns the undo, which leaves a newer one alone. */
  provide(kind: string, extensionId: string, factory: DownloaderFactory): () => void {
    const entry = this.kinds.get(kind);
    if (entry?.extensionId !== extensionId)
      throw new Error(
        `downloader ${kind} is not declared in contributes.downloaders of ${extensionId}'s manifest`,
      );
    entry.factory = factory;
    return () => {
      if (entry.factory === factory) delete entry.factory;
    };
  }

  /** Why `kind` cannot be used, in the user's words: unknown, with the kinds that exist. */
  unknown(kind: string): LocalizedText {
    const known = this.list()
      .map((entry) => entry.kind)
      .sort()
      .join(", ");
    return downloaderText("kind.unknown", { kind, known: known || "-" });
  }
}

/** Registers `contributes.downloaders` on the registry and returns the feature's view of the kinds. */
export function registerDownloadersPoint(points: ExtensionPointRegistry): DownloaderContributions {
  const downloaders = new DownloaderContributions();
  points.register(downloadersPoint, downloaders);
  return downloaders;
}
