/**
 * TEST-ONLY TCP load balancer in front of several dashboard processes, as a facility runs them: each new
 * connection goes to the next backend in turn, and to the one after when a backend refuses (a killed
 * process). Connections already open to a backend that dies break, as they would behind a real balancer.
 */
import net from "node:net";

export interface Balancer {
  port: number;
  url: string;
  /** Connections sent to each backend port. */
  readonly connections: Map<number, number>;
  close(): Promise<void>;
}

export async function startBalancer(backendPorts: number[], port = 0): Promise<Balancer> {
  const connections = new Map(backendPorts.map((p) => [p, 0]));
  const open = new Set<net.Socket>();
  let turn = 0;

  const connect = (client: net.Socket, tries: number) => {
    if (tries === 0) return client.destroy();
    const backend = backendPorts[turn++ % backendPorts.length];
    const upstream = net.connect(backend, "127.0.0.1");
    open.add(upstream);
    upstream.once("connect", () => {
      connections.set(backend, (connections.get(backend) ?? 0) + 1);
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    upstream.once("error", () => {
      if (upstream.connecting) return connect(client, tries - 1); // refused: try the next backend
      client.destroy();
    });
    upstream.once("close", () => {
      open.delete(upstream);
      client.destroy();
    });
    client.once("close", () => upstream.destroy());
  };

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.once("close", () => open.delete(client));
    client.on("error", () => client.destroy());
    connect(client, backendPorts.length);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as net.AddressInfo).port;
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
