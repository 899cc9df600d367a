import { InvalidBanError } from "@autostun/relay";
import { StorageWriteError } from "@autostun/store";
import { InvalidTunnelError, TunnelRequestError } from "@autostun/tunnels";
import { GraphQLError } from "graphql";

/**
 * Relay errors a client caused (unknown tunnel, bad CIDR, refused target) reach it with their message
 * and a code; anything else stays an internal error, which yoga masks.
 */
export async function relayClientErrors<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TunnelRequestError)
      throw new GraphQLError(error.message, { extensions: { code: error.code } });
    if (error instanceof InvalidTunnelError)
      throw new GraphQLError(error.message, { extensions: { code: error.code, problems: error.problems } });
    if (error instanceof InvalidBanError)
      throw new GraphQLError(error.message, { extensions: { code: error.code } });
    // The disk refused the change: the caller must know it was not kept (full disk, database deleted).
    if (error instanceof StorageWriteError)
      throw new GraphQLError(error.message, { extensions: { code: error.code } });
    throw error;
  }
}
