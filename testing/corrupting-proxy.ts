/**
 * TEST-ONLY HTTP proxy that stands in for a corrupting network between two agents' data planes: it
 * forwards requests to the real data plane and flips one byte of chosen response bodies, keeping
 * status, headers and length intact (so only the sha256 check can notice). Unlike the TCP proxy in
 * agent/dataplane/test-proxy.ts it works per HTTP response, so keep-alive connections that carry
 * several requests are corrupted as asked. The mode can change while it runs.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type CorruptionMode = "off" | "first" | "always";

export interface CorruptingProxy {
  url: string;
  port: number;
  mode: CorruptionMode;
  /** "first" corrupts the first body response after the mode is set; "always" every one. */
  readonly stats: { responses: number; corrupted: number };
  close(): Promise<void>;
}

export async function startCorruptingProxy(options: { targetPort: number; targetHost?: string; mode: CorruptionMode; flipAt?: number }) {
  const flipAt = options.flipAt ?? 100;
  const stats = { responses: 0, corrupted: 0 };
  // "first": the first body response after the mode was set (then it passes bytes through).
  const state = { mode: options.mode, armed: options.mode === "first" };
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      { host: options.targetHost ?? "127.0.0.1", port: options.targetPort, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        const status = up.statusCode ?? 502;
        const isBody = req.method === "GET" && (status === 200 || status === 206);
        let corrupt = false;
        if (isBody) {
          stats.responses += 1;
          corrupt = state.mode === "always" || (state.mode === "first" && state.armed);
          if (state.mode === "first") state.armed = false;
          if (corrupt) stats.corrupted += 1;
        }
        res.writeHead(status, up.headers);
        let seen = 0;
        up.on("data", (chunk: Buffer) => {
          let out = chunk;
          if (corrupt && flipAt >= seen && flipAt < seen + chunk.length) {
            out = Buffer.from(chunk);
            out[flipAt - seen] ^= 0xff;
          }
          seen += chunk.length;
          res.write(out);
        });
        up.on("end", () => res.end());
        up.on("error", () => res.destroy());
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const proxy: CorruptingProxy = {
    url: `http://127.0.0.1:${port}`,
    port,
    get mode() {
      return state.mode;
    },
    set mode(mode: CorruptionMode) {
      state.mode = mode;
      state.armed = mode === "first";
    },
    stats,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return proxy;
}
