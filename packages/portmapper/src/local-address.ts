import { createSocket } from "node:dgram";

/**
 * The address this host uses to reach `remote` (a connected UDP socket sends nothing, but the kernel
 * picks the source address of the route). A gateway maps ports to this address, not to 0.0.0.0.
 */
export function localAddressToward(remote: string, port = 1900): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.once("error", (error) => {
      socket.close();
      reject(error);
    });
    socket.connect(port, remote, () => {
      const { address } = socket.address();
      socket.close();
      resolve(address);
    });
  });
}
