import { createServer } from "node:net";

/**
 * A local TCP port nobody uses right now: bind port 0, read what the kernel gave, release it.
 * Another program may take it before we do; the caller then sees a busy port and asks again.
 */
export function chooseFreePort(host = "0.0.0.0"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error) =>
      reject(new Error(`cannot find a free local TCP port on ${host}: ${error.message}`, { cause: error })),
    );
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
