import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './free-port.js';

/**
 * A TCP relay between a client and a real server that counts the client's connections and the
 * reads it gets from them: how a test sees how many socket writes a client made (each write of a
 * loopback client arrives as one read when the relay keeps up).
 */
export class CountingRelay {
  /** The client's sockets, open or closed, in the order they connected. */
  readonly clientSockets: Socket[] = [];
  reads = 0;
  private readonly server: Server;

  private constructor(
    upstreamPort: number,
    readonly port: number,
  ) {
    this.server = createServer((client) => {
      this.clientSockets.push(client);
      const upstream = createConnection(upstreamPort, '127.0.0.1');
      client.on('data', (bytes) => {
        this.reads += 1;
        upstream.write(bytes);
      });
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('error', () => undefined);
      upstream.on('error', () => undefined);
    });
  }

  /** A relay to the server on `upstreamPort` (127.0.0.1), listening on a free port. */
  static async to(upstreamPort: number): Promise<CountingRelay> {
    const relay = new CountingRelay(upstreamPort, await freePort());
    await new Promise<void>((resolve) => relay.server.listen(relay.port, '127.0.0.1', resolve));
    return relay;
  }

  /** The relay as a Redis URL. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Reads the relay got from the client while `work` ran (its answers awaited). */
  async readsDuring(work: () => Promise<unknown>): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 20)); // nothing of earlier commands still in flight
    const before = this.reads;
    await work();
    return this.reads - before;
  }

  async close(): Promise<void> {
    for (const socket of this.clientSockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
