import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

/** A TCP relay between a client and a server that can silently cut the path. */
export interface TcpProxy {
  readonly port: number;
  /**
   * Cuts the path without closing anything: bytes on open connections are
   * read and dropped in both directions, and new connections are accepted
   * but never reach the server, as when a route or a NAT entry disappears.
   */
  blackhole(): void;
  /** Relays new connections again; the ones cut stay cut. */
  heal(): void;
  close(): Promise<void>;
}

interface Relay {
  client: Socket;
  upstream: Socket;
  cut: boolean;
}

/** Starts a relay on a free loopback port to `127.0.0.1:targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const relays = new Set<Relay>();
  let blackholed = false;
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const relay: Relay = { client, upstream, cut: blackholed };
    relays.add(relay);
    client.on('data', (chunk) => void (relay.cut || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (relay.cut || client.write(chunk)));
    const end = () => {
      relays.delete(relay);
      client.destroy();
      upstream.destroy();
    };
    // A cut path never reports a close; a live one passes it on.
    client.on('close', () => relay.cut || end());
    upstream.on('close', () => relay.cut || end());
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    blackhole() {
      blackholed = true;
      for (const relay of relays) relay.cut = true;
    },
    heal() {
      blackholed = false;
    },
    async close() {
      for (const relay of relays) {
        relay.client.destroy();
        relay.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
