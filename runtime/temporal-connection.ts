/**
 * How Klaxon's processes reach a Temporal frontend: the address, TLS (a custom CA, a client certificate
 * for mTLS, a server name override) and an API key, read from the TEMPORAL_ variables once at start.
 *
 * Certificate files are read when the process starts, not watched: the SDK's connections take their TLS
 * settings once, and a worker reconnecting mid-task to swap certificates would gain nothing over the
 * orchestrator restarting it. Rotate by replacing the files and restarting the processes one at a time
 * (a rolling restart), which running alerts do not notice (docs/operations.md).
 */
import tls from 'node:tls';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { ConfigError, type Config } from './config';
import { readTlsFiles } from './pem-files';

export interface TemporalTarget {
  address: string;
  /** Unset: plaintext gRPC (the dev server, a frontend on a private network). */
  tls?: TLSConfig;
  apiKey?: string;
}

type TemporalSettings = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CA_PATH'
  | 'TEMPORAL_TLS_CERT_PATH'
  | 'TEMPORAL_TLS_KEY_PATH'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_API_KEY'
>;

/** Returns whether the settings ask for TLS: explicitly, or by giving a CA, a client certificate or an API key. */
export function temporalTlsWanted(c: TemporalSettings): boolean {
  if (c.TEMPORAL_TLS !== undefined) return c.TEMPORAL_TLS;
  return [c.TEMPORAL_TLS_CA_PATH, c.TEMPORAL_TLS_CERT_PATH, c.TEMPORAL_TLS_SERVER_NAME, c.TEMPORAL_API_KEY].some((v) => v !== undefined);
}

/**
 * Returns where and how to connect to Temporal, reading and checking the certificate files; throws a
 * ConfigError naming each variable whose file is missing, unreadable, not PEM, expired, or (the key) not
 * the certificate's. `address` overrides TEMPORAL_ADDRESS (`npm start`'s own dev server).
 */
export function temporalTargetOf(c: TemporalSettings, address = c.TEMPORAL_ADDRESS ?? 'localhost:7233', now = new Date()): TemporalTarget {
  if (!temporalTlsWanted(c)) return { address, ...(c.TEMPORAL_API_KEY ? { apiKey: c.TEMPORAL_API_KEY } : {}) };
  const files = readTlsFiles('TEMPORAL_TLS', { ca: c.TEMPORAL_TLS_CA_PATH, cert: c.TEMPORAL_TLS_CERT_PATH, key: c.TEMPORAL_TLS_KEY_PATH }, now);
  const tlsConfig: TLSConfig = {
    ...(c.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: c.TEMPORAL_TLS_SERVER_NAME } : {}),
    ...(files.ca ? { serverRootCACertificate: files.ca } : {}),
    ...(files.cert && files.key ? { clientCertPair: { crt: files.cert, key: files.key } } : {}),
  };
  return { address, tls: tlsConfig, ...(c.TEMPORAL_API_KEY ? { apiKey: c.TEMPORAL_API_KEY } : {}) };
}

/** Returns host and port of a host:port address ([v6]:port for IPv6; the port defaults to Temporal's 7233). */
function hostPortOf(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(address.trim());
  if (!match) throw new ConfigError([`TEMPORAL_ADDRESS: "${address}" is not host:port`]);
  return { host: match[1] ?? match[2]!, port: match[3] ? Number(match[3]) : 7233 };
}

/**
 * OpenSSL's and Node's codes for a handshake refused over settings, not over the network, and the
 * variable that fixes each. A refusal like these would repeat forever, so it stops start-up instead of
 * being retried like an outage.
 */
const REFUSALS: { codes: RegExp; problem: (t: { address: string; serverName: string }) => string }[] = [
  {
    codes: /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_SIGNATURE_FAILURE|CERT_UNTRUSTED)$/,
    problem: ({ address }) =>
      `TEMPORAL_TLS_CA_PATH: the certificate of the Temporal server at ${address} is not signed by the CA in TEMPORAL_TLS_CA_PATH (or, unset, by a CA this system trusts). Point it at the CA that issued the server's certificate`,
  },
  {
    codes: /^(CERT_HAS_EXPIRED|CERT_NOT_YET_VALID)$/,
    problem: ({ address }) => `TEMPORAL_ADDRESS: the Temporal server at ${address} presents a certificate outside its validity dates; renew it on the server`,
  },
  {
    codes: /^ERR_TLS_CERT_ALTNAME_INVALID$/,
    problem: ({ address, serverName }) =>
      `TEMPORAL_TLS_SERVER_NAME: the certificate of the Temporal server at ${address} is not for "${serverName}". Set TEMPORAL_TLS_SERVER_NAME to a name the certificate holds`,
  },
  {
    codes: /CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE/,
    problem: ({ address }) =>
      `TEMPORAL_TLS_CERT_PATH: the Temporal server at ${address} requires a client certificate (mTLS). Set TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH to the certificate and key it accepts`,
  },
  {
    codes: /ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|DECRYPT_ERROR|ACCESS_DENIED|UNSUPPORTED_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED)/,
    problem: ({ address }) =>
      `TEMPORAL_TLS_CERT_PATH: the Temporal server at ${address} refused the client certificate in TEMPORAL_TLS_CERT_PATH; it must be issued by a CA the server trusts for clients, and valid`,
  },
  {
    codes: /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|RECORD_LAYER_FAILURE/,
    problem: ({ address }) =>
      `TEMPORAL_TLS: the server at ${address} does not answer TLS. Unset the TEMPORAL_TLS_ variables (and TEMPORAL_API_KEY) for a plaintext frontend, or use its TLS port`,
  },
];

// The HTTP/2 connection preface and an empty SETTINGS frame: gRPC's first bytes.
const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/**
 * Checks the TLS settings against the server before the SDK connects, so a wrong CA, a missing or
 * refused client certificate or a wrong server name stops start-up with a ConfigError naming the
 * variable; the SDK would only retry and log a transport error. Under TLS 1.3 the server judges the
 * client certificate after the client's handshake has finished, so the probe speaks HTTP/2's first bytes
 * and waits for the server's own: an answer means accepted, an alert means refused. Some servers (Node's
 * among them) refuse a client certificate by closing the connection without an alert: a close right after
 * the handshake, twice in a row, is taken for that refusal. Anything else (no route, a refused port, no
 * answer in time) rejects with a plain Error, which the caller retries as an outage.
 */
export async function probeTls(target: TemporalTarget, timeoutMs: number): Promise<void> {
  if (!target.tls) return;
  for (let attempt = 1; ; attempt++) {
    const outcome = await probeOnce(target, timeoutMs);
    if (outcome !== 'closed after handshake') return;
    if (attempt === 2) {
      const { address } = target;
      throw new ConfigError([
        target.tls.clientCertPair
          ? `TEMPORAL_TLS_CERT_PATH: the Temporal server at ${address} closed every connection right after the TLS handshake: it refused the client certificate in TEMPORAL_TLS_CERT_PATH, which must be issued by a CA the server trusts for clients, and valid`
          : `TEMPORAL_TLS_CERT_PATH: the Temporal server at ${address} closed every connection right after the TLS handshake: it requires a client certificate (mTLS). Set TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH to the certificate and key it accepts`,
      ]);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** One probe connection: resolves 'answered' or 'closed after handshake'; rejects as probeTls says. */
function probeOnce(target: TemporalTarget, timeoutMs: number): Promise<'answered' | 'closed after handshake'> {
  const settings = target.tls!;
  const { host, port } = hostPortOf(target.address);
  const serverName = settings.serverNameOverride ?? host;
  return new Promise((resolve, reject) => {
    let handshakeDone = false;
    const socket = tls.connect({
      host,
      port,
      // SNI takes names only; for an IP address the name still says what the certificate must hold.
      ...(/^[\d.]+$|:/.test(serverName) ? {} : { servername: serverName }),
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(serverName, cert),
      ...(settings.serverRootCACertificate ? { ca: Buffer.from(settings.serverRootCACertificate) } : {}),
      ...(settings.clientCertPair ? { cert: Buffer.from(settings.clientCertPair.crt), key: Buffer.from(settings.clientCertPair.key) } : {}),
      ALPNProtocols: ['h2'],
    });
    const timer = setTimeout(() => settle(new Error(`no TLS answer from ${target.address} within ${timeoutMs} ms`)), timeoutMs);
    const settle = (result: Error | 'answered' | 'closed after handshake') => {
      clearTimeout(timer);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    socket.once('secureConnect', () => {
      handshakeDone = true;
      socket.write(H2_PREFACE);
    });
    socket.once('data', () => settle('answered'));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const refusal = REFUSALS.find((r) => r.codes.test(err.code ?? ''));
      settle(refusal ? new ConfigError([refusal.problem({ address: target.address, serverName })]) : err);
    });
    socket.once('close', () =>
      settle(handshakeDone ? 'closed after handshake' : new Error(`${target.address} closed the connection during the TLS handshake`)),
    );
  });
}
