import { createServer, connect, type Server, type Socket } from "node:net";

/**
 * A TCP proxy a test puts in front of a real service (PostgreSQL, Redis) to make it fail
 * without touching the service: `freeze()` keeps every connection open but stops forwarding
 * bytes (a stopped process: SIGSTOP), `refuse()` cuts every connection and stops listening
 * (connection refused), `restore()` forwards again on the same port.
 */
export class TcpProxy {
  private server?: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private frozen = false;
  port = 0;

  private constructor(private readonly target: { host: string; port: number }) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.listen();
    return proxy;
  }

  /** `url` with its host and port replaced by this proxy's. */
  url(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(this.port);
    return proxied.toString();
  }

  private listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  private accept(client: Socket) {
    const upstream = connect(this.target.port, this.target.host);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.on("data", (chunk) => {
      if (!this.frozen) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!this.frozen) client.write(chunk);
    });
  }

  /** Bytes are swallowed in both directions; new connections are accepted and hang too. */
  freeze() {
    this.frozen = true;
  }

  /** Every connection is cut and new ones are refused. */
  async refuse() {
    const server = this.server;
    this.server = undefined;
    for (const [clientSide, upstreamSide] of this.pairs) {
      clientSide.destroy();
      upstreamSide.destroy();
    }
    this.pairs.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Forwards again; frozen connections are cut (their protocol state is lost) so clients reconnect. */
  async restore() {
    if (this.frozen) {
      for (const [clientSide, upstreamSide] of this.pairs) {
        clientSide.destroy();
        upstreamSide.destroy();
      }
      this.pairs.clear();
      this.frozen = false;
    }
    if (!this.server) await this.listen();
  }

  async close() {
    await this.refuse();
  }
}
