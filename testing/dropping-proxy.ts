/**
 * TEST-ONLY HTTP proxy between an agent and the dashboard that loses the first response handing out a
 * task: it forwards the long-poll, reads the dashboard's answer and then drops the connection unanswered,
 * as a network cut at that moment would. Every other request and response passes through. It records the
 * task id of every task response it saw, so a test can tell whether the lost task was delivered again.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";

export interface DroppingProxy {
  url: string;
  /** Task ids in the order the dashboard handed them out; `dropped` those the agent never received. */
  readonly handedOut: string[];
  readonly dropped: string[];
  close(): Promise<void>;
}

const CLAIM = "/api/agent/v1/tasks/next";

/** The body as the agent will read it (the dashboard compresses when the agent accepts it); forwarded as it came. */
function decoded(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === "gzip") return zlib.gunzipSync(body);
  if (encoding === "br") return zlib.brotliDecompressSync(body);
  if (encoding === "deflate") return zlib.inflateSync(body);
  return body;
}

export async function startDroppingProxy(target: string): Promise<DroppingProxy> {
  const upstreamUrl = new URL(target);
  const handedOut: string[] = [];
  const dropped: string[] = [];
  // Its own connection pool, closed with the proxy: an idle keep-alive socket to the dashboard would keep
  // the dashboard from exiting when the test stops it.
  const upstreamAgent = new http.Agent({ keepAlive: false });
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      { host: upstreamUrl.hostname, port: upstreamUrl.port, method: req.method, path: req.url, headers: req.headers, agent: upstreamAgent },
      (up) => {
        const chunks: Buffer[] = [];
        up.on("data", (c: Buffer) => chunks.push(c));
        up.on("end", () => {
          const body = Buffer.concat(chunks);
          if (req.url?.startsWith(CLAIM) && up.statusCode === 200) {
            const { id } = JSON.parse(decoded(body, up.headers["content-encoding"]).toString()) as { id: string };
            handedOut.push(id);
            if (dropped.length === 0) {
              dropped.push(id);
              req.socket.destroy();
              return;
            }
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(body);
        });
      },
    );
    upstream.on("error", () => req.socket.destroy());
    // A client gone (an agent killed mid long-poll) ends its request upstream too, as a network would.
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handedOut,
    dropped,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        upstreamAgent.destroy();
        server.close(() => r());
      }),
  };
}
