// Plain HTTP sessions with qBittorrent's Web API and Transmission's RPC, for the lab scripts that run
// inside the LAN namespace (not our adapters, so a lab test does not grade our code with our code).

/** Logs in to qBittorrent; returns `call(path, init)` that sends the session cookie along. */
export async function qbittorrentSession(url, username, password) {
  const login = await fetch(`${url}/api/v2/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", referer: url },
    body: new URLSearchParams({ username, password }),
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
  if (!cookie) throw new Error(`qBittorrent login answered ${login.status} without a session`);
  return async (path, init = {}) => {
    const answer = await fetch(`${url}${path}`, {
      ...init,
      headers: { ...init.headers, cookie, referer: url },
    });
    if (!answer.ok) throw new Error(`qBittorrent ${path} answered ${answer.status}: ${await answer.text()}`);
    return answer;
  };
}

/** Returns `call(method, arguments)` for Transmission's RPC, with its session-id handshake. */
export function transmissionSession(url, username, password) {
  const auth = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  let session = "";
  const send = (body) =>
    fetch(url, {
      method: "POST",
      headers: { authorization: auth, "x-transmission-session-id": session },
      body,
    });
  return async (method, args = {}) => {
    const body = JSON.stringify({ method, arguments: args });
    let answer = await send(body);
    if (answer.status === 409) {
      session = answer.headers.get("x-transmission-session-id") ?? "";
      answer = await send(body);
    }
    const reply = await answer.json();
    if (reply.result !== "success") throw new Error(`Transmission ${method}: ${reply.result}`);
    return reply.arguments;
  };
}
