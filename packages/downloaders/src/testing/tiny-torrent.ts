import { createHash } from "node:crypto";

function bencode(value: unknown): Buffer {
  if (typeof value === "number") return Buffer.from(`i${value}e`);
  if (typeof value === "string") return bencode(Buffer.from(value));
  if (Buffer.isBuffer(value)) return Buffer.concat([Buffer.from(`${value.length}:`), value]);
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return Buffer.concat([
    Buffer.from("d"),
    ...entries.flatMap(([k, v]) => [bencode(k), bencode(v)]),
    Buffer.from("e"),
  ]);
}

/**
 * A one-piece torrent whose tracker is a closed port: enough for a client to start a BitTorrent
 * download, which is when aria2 opens its peer port, with nothing leaving the namespace.
 */
export function tinyTorrent(tracker: string): Buffer {
  const piece = Buffer.alloc(16_384, 7);
  return bencode({
    announce: tracker,
    info: {
      length: piece.length,
      name: "autostun-lab.bin",
      "piece length": piece.length,
      pieces: createHash("sha1").update(piece).digest(),
    },
  });
}
