/**
 * Writes a small MaxMind DB (format 2.0, IPv4 tree, 24-bit records) from a list of networks, so tests
 * can exercise user-supplied City/ASN files without shipping MaxMind's data. Supports the value types
 * those files use: strings, unsigned integers, maps and arrays.
 */
export type MmdbValue = string | number | MmdbValue[] | { [key: string]: MmdbValue };

const TYPE = { string: 2, map: 7, uint16: 5, uint32: 6, uint64: 9, array: 11 } as const;

export function writeMmdb(
  databaseType: string,
  networks: readonly { network: string; prefix: number; data: MmdbValue }[],
): Buffer {
  type Record = { node: number } | { data: number } | undefined;
  const nodes: [Record, Record][] = [[undefined, undefined]];
  const dataParts: Buffer[] = [];
  let dataLength = 0;
  for (const { network, prefix, data } of networks) {
    const encoded = encode(data);
    const offset = dataLength;
    dataParts.push(encoded);
    dataLength += encoded.length;
    const bits = network.split(".").reduce((acc, octet) => (acc << 8) | Number(octet), 0) >>> 0;
    let node = 0;
    for (let depth = 0; depth < prefix; depth++) {
      const bit = (bits >>> (31 - depth)) & 1;
      const slot = nodes[node]!;
      if (depth === prefix - 1) {
        slot[bit] = { data: offset };
        break;
      }
      const next = slot[bit];
      if (next && "node" in next) {
        node = next.node;
      } else {
        nodes.push([undefined, undefined]);
        slot[bit] = { node: nodes.length - 1 };
        node = nodes.length - 1;
      }
    }
  }
  const nodeCount = nodes.length;
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach((pair, index) => {
    pair.forEach((record, side) => {
      const value =
        record === undefined ? nodeCount : "node" in record ? record.node : nodeCount + 16 + record.data;
      tree.writeUIntBE(value, index * 6 + side * 3, 3);
    });
  });
  const metadata = encode({
    node_count: nodeCount,
    record_size: 24,
    ip_version: 4,
    database_type: databaseType,
    languages: ["en"],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_700_000_000,
    description: { en: `${databaseType} test database` },
  });
  const marker = Buffer.concat([Buffer.from([0xab, 0xcd, 0xef]), Buffer.from("MaxMind.com")]);
  return Buffer.concat([tree, Buffer.alloc(16), ...dataParts, marker, metadata]);
}

function encode(value: MmdbValue): Buffer {
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([control(TYPE.string, bytes.length), bytes]);
  }
  if (typeof value === "number") {
    const bytes: number[] = [];
    for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    const type = bytes.length <= 2 ? TYPE.uint16 : bytes.length <= 4 ? TYPE.uint32 : TYPE.uint64;
    return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(TYPE.array, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([
    control(TYPE.map, entries.length),
    ...entries.flatMap(([k, v]) => [encode(k), encode(v)]),
  ]);
}

/** The control byte(s): type in the top three bits (or an extended-type byte), then the size. */
function control(type: number, size: number): Buffer {
  const extended = type > 7;
  const head: number[] = [];
  let sizeBits: number;
  const tail: number[] = [];
  if (size < 29) {
    sizeBits = size;
  } else if (size < 285) {
    sizeBits = 29;
    tail.push(size - 29);
  } else {
    sizeBits = 30;
    tail.push(((size - 285) >> 8) & 255, (size - 285) & 255);
  }
  head.push(((extended ? 0 : type) << 5) | sizeBits);
  if (extended) head.push(type - 7);
  return Buffer.from([...head, ...tail]);
}
