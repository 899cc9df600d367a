// Asks a BitTorrent client through its own API which peer port it uses, with plain HTTP calls (not our
// adapters, so a lab test does not grade our code with our code), then tries a TCP connect to that port
// on 127.0.0.1 (or on [probe port], for aria2, which reports a port it never bound). Runs inside the
// lab's LAN namespace. argv: <kind> <url> <username> <password> [probe port]
// Prints {"port": N, "listening": true|false} (listening: on the probed port).
import { connect } from "node:net";
import { qbittorrentSession, transmissionSession } from "./client-rpc.mjs";

const [kind, url, username, password, probe] = process.argv.slice(2);

async function qbittorrent() {
  const call = await qbittorrentSession(url, username, password);
  return (await (await call("/api/v2/app/preferences")).json()).listen_port;
}

async function transmission() {
  const call = transmissionSession(url, username, password);
  return (await call("session-get", { fields: ["peer-port"] }))["peer-port"];
}

async function deluge() {
  let cookie = "";
  let id = 0;
  const call = async (method, params) => {
    const answer = await fetch(`${url}/json`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ method, params, id: ++id }),
    });
    const set = answer.headers.get("set-cookie");
    if (set) cookie = set.split(";")[0];
    const body = await answer.json();
    if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
    return body.result;
  };
  if (!(await call("auth.login", [password]))) throw new Error("deluge refused the password");
  if (!(await call("web.connected", []))) {
    const [host] = await call("web.get_hosts", []);
    await call("web.connect", [host[0]]);
  }
  return call("core.get_listen_port", []);
}

async function aria2() {
  const answer = await fetch(url, {
    method: "POST",
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "aria2.getGlobalOption",
      params: [`token:${password}`],
    }),
  });
  return Number((await answer.json()).result["listen-port"]);
}

const readers = { qbittorrent, transmission, deluge, aria2 };
const port = Number(await readers[kind]());
const listening = await new Promise((resolve) => {
  const socket = connect({ host: "127.0.0.1", port: probe ? Number(probe) : port });
  const done = (open) => {
    socket.destroy();
    resolve(open);
  };
  socket.once("connect", () => done(true)).once("error", () => done(false));
  socket.setTimeout(3000, () => done(false));
});
process.stdout.write(JSON.stringify({ port, listening }));
