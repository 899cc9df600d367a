import { createSocket } from "node:dgram";
import { createServer } from "node:net";

/** How many ports the OS offers before giving up on one that UDP also has free. */
const DUAL_PORT_TRIES = 20;

function bindUdp(port: number, host: string): Promise<(() => Promise<void>) | undefined> {
  const socket = createSocket({ type: "udp4", reuseAddr: false });
  return new Promise((resolve) => {
    socket.once("error", () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind({ address: host, port, exclusive: true }, () =>
      resolve(() => new Promise<void>((done) => socket.close(() => done()))),
    );
  });
}

/**
 * A local port free for both TCP and UDP right now: the OS picks a TCP port, and it is kept only
 * when UDP can bind it too. On a port-preserving gateway this one port P then comes out as the same
 * public port for both protocols. Both are released before returning; another program may still
 * take one first, which the caller sees as a busy port and answers by asking again.
 */
export async function chooseFreeDualPort(host = "0.0.0.0"): Promise<number> {
  for (let i = 0; i < DUAL_PORT_TRIES; i++) {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once("error", (error) =>
        reject(new Error(`cannot find a free local TCP port on ${host}: ${error.message}`, { cause: error })),
      );
      server.listen({ host, port: 0, exclusive: true }, () => {
        const address = server.address();
        resolve(typeof address === "object" && address ? address.port : 0);
      });
    });
    const releaseUdp = await bindUdp(port, host);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (releaseUdp) {
      await releaseUdp();
      return port;
    }
  }
  throw new Error(
    `no local port on ${host} was free for both TCP and UDP in ${DUAL_PORT_TRIES} tries; too many UDP ports are in use`,
  );
}
