/**
 * TEST-ONLY TCP proxy standing in for a bad network between two agents. It forwards bytes both
 * ways and can (a) cut the connection after K bytes of the response (a flaky link) or (b) flip one
 * byte of the response body (a corrupting link). Used by dataplane tests and never by the agent.
 */
import net from "node:net";

export interface FaultyProxyOptions {
  target: { host: string; port: number };
  /** Destroy the connection after this many response bytes (headers included)... */
  cutAfterBytes?: number;
  /** ...for this many connections, counted from the first (default 1). */
  cutConnections?: number;
  /** XOR this body offset of every response body with 0xff (on the first `corruptConnections` connections). */
  flipBodyByteAt?: number;
  corruptConnections?: number;
}

export interface FaultyProxy {
  url: string;
  port: number;
  connections: number;
  close(): Promise<void>;
}

export async function startFaultyProxy(options: FaultyProxyOptions): Promise<FaultyProxy> {
  const sockets = new Set<net.Socket>();
  const state = { connections: 0 };
  const server = net.createServer((client) => {
    const connectionNumber = ++state.connections;
    const upstream = net.connect(options.target.port, options.target.host);
    sockets.add(client);
    sockets.add(upstream);
    client.on("close", () => sockets.delete(client));
    upstream.on("close", () => sockets.delete(upstream));
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.pipe(upstream);
    const cut = options.cutAfterBytes !== undefined && connectionNumber <= (options.cutConnections ?? 1) ? options.cutAfterBytes : Infinity;
    const corrupt = options.flipBodyByteAt !== undefined && connectionNumber <= (options.corruptConnections ?? Infinity);
    let sent = 0;
    let head = Buffer.alloc(0);
    let bodySeen = -1; // -1: still in headers
    upstream.on("data", (chunk: Buffer) => {
      let out = chunk;
      if (corrupt) {
        out = Buffer.from(chunk);
        if (bodySeen < 0) {
          head = Buffer.concat([head, out]);
          const index = head.indexOf("\r\n\r\n");
          if (index >= 0) {
            const bodyStartInChunk = out.length - (head.length - (index + 4));
            bodySeen = 0;
            const idx = bodyStartInChunk + options.flipBodyByteAt!;
            if (idx < out.length) out[idx] ^= 0xff;
            bodySeen = out.length - bodyStartInChunk;
          }
        } else {
          const idx = options.flipBodyByteAt! - bodySeen;
          if (idx >= 0 && idx < out.length) out[idx] ^= 0xff;
          bodySeen += out.length;
        }
      }
      if (sent + out.length >= cut) {
        client.write(out.subarray(0, Math.max(0, cut - sent)), () => {
          client.destroy();
          upstream.destroy();
        });
        sent = cut;
        return;
      }
      sent += out.length;
      client.write(out);
    });
    upstream.on("end", () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
