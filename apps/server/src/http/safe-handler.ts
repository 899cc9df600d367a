import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Logger } from "@autostun/plugins-api";

/** Path without the query string: enough to find the request in logs, and never a parameter's value. */
export const loggedPath = (req: IncomingMessage) => (req.url ?? "").split("?")[0];

/**
 * Wraps a route so nothing it throws or rejects can end the process: the client gets 500 (or, when the
 * answer had already begun, a closed connection) and the log says what broke.
 */
export function safeHandler(
  route: (req: IncomingMessage, res: ServerResponse) => Promise<unknown> | undefined,
  logger: Logger,
): RequestListener {
  return (req, res) => {
    const fail = (error: unknown) => {
      logger.error("request handler failed; answered 500", {
        err: error,
        method: req.method,
        path: loggedPath(req),
        status: 500,
      });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res
        .writeHead(500, { "content-type": "text/plain; charset=utf-8" })
        .end("AutoSTUN hit an internal error answering this request; it is logged. Try again.\n");
    };
    try {
      const result = route(req, res);
      if (result) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}
