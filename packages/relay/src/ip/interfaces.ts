import { type NetworkInterfaceInfo, networkInterfaces } from "node:os";

/** Linux errno values Node reports from uv_interface_addresses only as numbers. */
const EMFILE = 24;
const ENFILE = 23;

/**
 * `os.networkInterfaces()`, with its failure in words. It opens a netlink socket for each read, so a
 * process out of descriptors gets "uv_interface_addresses returned Unknown system error 24"; this says
 * EMFILE instead (with `code` set), so callers and logs can tell exhaustion from anything else.
 */
export function readInterfaces(): NodeJS.Dict<NetworkInterfaceInfo[]> {
  try {
    return networkInterfaces();
  } catch (error) {
    const errno = (error as { info?: { errno?: unknown } }).info?.errno;
    const code = errno === EMFILE ? "EMFILE" : errno === ENFILE ? "ENFILE" : undefined;
    const why =
      code === "EMFILE"
        ? "this process is out of file descriptors (EMFILE: too many open files)"
        : code === "ENFILE"
          ? "the system is out of file descriptors (ENFILE)"
          : error instanceof Error
            ? error.message
            : String(error);
    throw Object.assign(new Error(`cannot read this host's interface addresses: ${why}`, { cause: error }), {
      ...(code ? { code } : {}),
    });
  }
}
