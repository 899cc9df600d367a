import { createHash } from "node:crypto";
import { bencode } from "./torrent-file.js";

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
