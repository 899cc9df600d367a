import { describe, expect, it } from "vitest";
import { handshakeBytes, infoHashOf, labPeerId, parseHandshake } from "./bt-handshake.js";
import { tinyTorrent } from "./tiny-torrent.js";

/** The lab peer's own wire format; the lab test proves it against qBittorrent and Transmission. */
describe("the lab's BitTorrent handshake", () => {
  it("is 68 bytes: 19, the protocol string, 8 reserved, info-hash, peer id — and reads back", () => {
    const infoHash = infoHashOf(tinyTorrent("http://127.0.0.1:1/announce"));
    const bytes = handshakeBytes(infoHash, labPeerId());
    expect(bytes.length).toBe(68);
    expect(bytes[0]).toBe(19);
    expect(bytes.subarray(1, 20).toString("latin1")).toBe("BitTorrent protocol");
    expect(parseHandshake(bytes)).toMatchObject({
      reserved: "0000000000000000",
      infoHash: infoHash.toString("hex"),
      peerId: expect.stringMatching(/^-AS0001-/),
    });
  });

  it("takes nothing else for a handshake", () => {
    expect(parseHandshake(Buffer.from("HTTP/1.1 400 Bad Request\r\n".padEnd(68, " ")))).toBeUndefined();
    expect(parseHandshake(Buffer.alloc(40, 19))).toBeUndefined();
  });

  it("hashes only the info dictionary, so the announce URL does not change the info-hash", () => {
    const a = infoHashOf(tinyTorrent("http://127.0.0.1:1/announce"));
    const b = infoHashOf(tinyTorrent("http://127.0.0.1:2/other"));
    expect(a.equals(b)).toBe(true);
    expect(a.length).toBe(20);
  });
});
