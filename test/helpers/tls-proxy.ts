/**
 * A TLS-terminating TCP proxy in front of a plaintext server, requiring a client certificate signed by
 * a given CA: what an mTLS Temporal frontend (or Temporal Cloud, or an Envoy in front of a cluster)
 * looks like to Klaxon. It forwards bytes unchanged, so gRPC over HTTP/2 reaches the server as if the
 * client had connected in plaintext.
 */
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import type { Issued } from './certificates';

export interface TlsProxy {
  port: number;
  /** Handshakes the proxy refused, with the reason (no certificate, unknown CA, ...). */
  refusals: string[];
  /** Connections that completed the handshake and were forwarded. */
  forwarded(): number;
  close(): Promise<void>;
}

export async function startTlsProxy(opts: { server: Issued; clientCa: Issued; target: { host: string; port: number } }): Promise<TlsProxy> {
  const refusals: string[] = [];
  const sockets = new Set<net.Socket>();
  let forwarded = 0;
  const proxy = tls.createServer(
    {
      cert: readFileSync(opts.server.cert),
      key: readFileSync(opts.server.key),
      ca: readFileSync(opts.clientCa.cert),
      requestCert: true,
      rejectUnauthorized: true,
      // gRPC clients (the SDK's, in Rust and in Node) insist on HTTP/2 by ALPN.
      ALPNProtocols: ['h2'],
    },
    (client) => {
      forwarded++;
      const upstream = net.connect(opts.target);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    },
  );
  proxy.on('tlsClientError', (err) => refusals.push(err.message));
  const port = await new Promise<number>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve((proxy.address() as net.AddressInfo).port)));
  return {
    port,
    refusals,
    forwarded: () => forwarded,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        proxy.close(() => resolve());
      }),
  };
}
