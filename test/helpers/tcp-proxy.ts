import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy that can turn into a blackhole: it keeps accepting connections but stops
 * forwarding bytes either way, as a dead network or a hung server looks to a client (no reset, no
 * answer). heal() forwards what was held back and goes on. A fault injected at the wire, like
 * ioredis's mock server, instead of a mocked client.
 */
export class TcpProxy {
  private blackholed = false;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; held: { to: Socket; chunk: Buffer }[] }>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on a free loopback port and forwards every connection to targetHost:targetPort. */
  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const accepting: { proxy?: TcpProxy } = {};
    const server = createServer((client) => accepting.proxy!.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    accepting.proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    return accepting.proxy;
  }

  /** The local ports of the proxy's connections to the target: PostgreSQL shows them as client_port. */
  upstreamPorts(): number[] {
    return [...this.pairs].map((p) => p.upstream.localPort).filter((p): p is number => p !== undefined);
  }

  /** Stops forwarding; connections are still accepted, and held. */
  blackhole(): void {
    this.blackholed = true;
  }

  /** Forwards again, first what was held back. */
  heal(): void {
    this.blackholed = false;
    for (const pair of this.pairs) {
      for (const { to, chunk } of pair.held.splice(0)) if (!to.destroyed) to.write(chunk);
    }
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, host: string, port: number): void {
    const upstream = connect(port, host);
    const pair = { client, upstream, held: [] as { to: Socket; chunk: Buffer }[] };
    this.pairs.add(pair);
    const forward = (to: Socket) => (chunk: Buffer) => {
      if (this.blackholed) pair.held.push({ to, chunk });
      else to.write(chunk);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}
