import { createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What bencoding can hold: integers, byte strings, lists and dictionaries. */
export type Bencoded = number | string | Buffer | Bencoded[] | { [key: string]: Bencoded };

/** Bencoding as torrent files use it: dictionary keys sorted by their bytes. */
export function bencode(value: Bencoded): Buffer {
  if (typeof value === "number") return Buffer.from(`i${value}e`);
  if (typeof value === "string") return bencode(Buffer.from(value));
  if (Buffer.isBuffer(value)) return Buffer.concat([Buffer.from(`${value.length}:`), value]);
  if (Array.isArray(value)) return Buffer.concat([Buffer.from("l"), ...value.map(bencode), Buffer.from("e")]);
  const keys = Object.keys(value).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return Buffer.concat([
    Buffer.from("d"),
    ...keys.flatMap((key) => [bencode(key), bencode(value[key] as Bencoded)]),
    Buffer.from("e"),
  ]);
}

export interface SeedTorrentOptions {
  /** Folder the data file and the .torrent go to. */
  dir: string;
  /** Name of the single data file (and of the torrent). */
  name?: string;
  /** Size of the data in bytes. */
  bytes?: number;
  /** Bytes a piece; a power of two from 16 KiB. */
  pieceLength?: number;
  /**
   * Random data (each piece different, as in a real download) instead of one repeated pattern. A
   * repeated pattern gives every piece the same hash, which is enough for a handshake but hides a
   * piece delivered in the wrong place.
   */
  random?: boolean;
}

export interface SeedTorrent {
  /** The .torrent file. */
  file: string;
  /** Its bytes, for APIs that take the metainfo itself. */
  torrent: Buffer;
  /** The v1 info hash, hex. */
  infoHash: string;
  /** The data file a seeder finds complete in `dir`. */
  dataFile: string;
  bytes: number;
}

/**
 * A single-file, trackerless torrent and its complete data in `dir`: a client given both seeds at
 * once and reaches out nowhere (peers are added by hand). Returns the files and the info hash.
 */
export async function writeSeedTorrent(options: SeedTorrentOptions): Promise<SeedTorrent> {
  const name = options.name ?? "autostun-lab.bin";
  const bytes = options.bytes ?? 16_384;
  const pieceLength = options.pieceLength ?? Math.min(bytes, 262_144);
  if (!Number.isInteger(bytes) || bytes < 1)
    throw new RangeError(`seed torrent: bytes must be >= 1; got ${bytes}`);
  if (!Number.isInteger(pieceLength) || pieceLength < 1)
    throw new RangeError(`seed torrent: pieceLength must be >= 1; got ${pieceLength}`);
  const data = options.random ? randomBytes(bytes) : Buffer.alloc(bytes, "autostun lab ");
  const hashes: Buffer[] = [];
  for (let at = 0; at < bytes; at += pieceLength)
    hashes.push(
      createHash("sha1")
        .update(data.subarray(at, at + pieceLength))
        .digest(),
    );
  const info = { length: bytes, name, "piece length": pieceLength, pieces: Buffer.concat(hashes) };
  const torrent = bencode({ info });
  const dataFile = join(options.dir, name);
  const file = join(options.dir, `${name}.torrent`);
  await writeFile(dataFile, data);
  await writeFile(file, torrent);
  return { file, torrent, infoHash: createHash("sha1").update(bencode(info)).digest("hex"), dataFile, bytes };
}
