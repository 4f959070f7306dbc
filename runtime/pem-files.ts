/**
 * Reading the PEM files that TLS settings name (CAs, certificates, keys) and saying, under the
 * variable's name, what is wrong with one: at start-up, before a handshake would fail with less to go on.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './config';
import { tlsCertificateExpiry } from './metrics';

/** Returns the file's bytes, or records why it cannot be read under the variable's name. */
function readSetting(variable: string, file: string, problems: string[]): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (err) {
    problems.push(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return undefined;
  }
}

/** Returns the certificate in the PEM bytes, or records what is wrong with it. */
function certificateOf(variable: string, file: string, pem: Buffer, problems: string[], now: Date): X509Certificate | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    problems.push(`${variable}: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return undefined;
  }
  if (new Date(cert.validTo) < now) problems.push(`${variable}: the certificate in ${file} expired on ${new Date(cert.validTo).toISOString()}`);
  else if (new Date(cert.validFrom) > now) problems.push(`${variable}: the certificate in ${file} is not valid before ${new Date(cert.validFrom).toISOString()}`);
  return cert;
}

/**
 * Checks that the PEM bytes hold an unencrypted private key and, when the certificate read, that it is
 * that certificate's key; records what is wrong otherwise.
 */
function privateKeyOf(
  variable: string,
  file: string,
  pem: Buffer,
  cert: X509Certificate | undefined,
  certVariable: string,
  problems: string[],
): void {
  let key;
  try {
    key = createPrivateKey(pem);
  } catch {
    problems.push(`${variable}: ${file} holds no unencrypted PEM private key`);
    return;
  }
  if (cert && !cert.checkPrivateKey(key)) problems.push(`${variable}: the key in ${file} is not the key of the certificate in ${certVariable}`);
}

export interface TlsFiles {
  ca?: Buffer;
  /** The client certificate and its key: both or neither. */
  cert?: Buffer;
  key?: Buffer;
}

/**
 * Reads and checks the files `<prefix>_CA_PATH`, `<prefix>_CERT_PATH` and `<prefix>_KEY_PATH` name (the
 * certificate and key only together); throws a ConfigError naming each variable whose file is missing,
 * unreadable, not PEM, expired, or (the key) not the certificate's.
 */
export function readTlsFiles(prefix: 'TEMPORAL_TLS' | 'DATABASE_TLS', paths: { ca?: string; cert?: string; key?: string }, now: Date): TlsFiles {
  const problems: string[] = [];
  const files: TlsFiles = {};
  // Parsed once here, for the checks and for the expiry dates reported below.
  const parsed: { ca?: X509Certificate; client?: X509Certificate } = {};
  const [caVariable, certVariable, keyVariable] = [`${prefix}_CA_PATH`, `${prefix}_CERT_PATH`, `${prefix}_KEY_PATH`];
  if (paths.ca) {
    const ca = readSetting(caVariable, paths.ca, problems);
    parsed.ca = ca && certificateOf(caVariable, paths.ca, ca, problems, now);
    if (parsed.ca) files.ca = ca;
  }
  if (paths.cert && paths.key) {
    const cert = readSetting(certVariable, paths.cert, problems);
    const key = readSetting(keyVariable, paths.key, problems);
    parsed.client = cert && certificateOf(certVariable, paths.cert, cert, problems, now);
    if (cert && key) {
      privateKeyOf(keyVariable, paths.key, key, parsed.client, certVariable, problems);
      Object.assign(files, { cert, key });
    }
  }
  if (problems.length) throw new ConfigError(problems);
  // A certificate that expires stops paging as surely as a crash, but months later: Prometheus watches
  // the date (KlaxonCertificateExpiresSoon) so someone renews it first.
  const connection = prefix === 'TEMPORAL_TLS' ? 'temporal' : 'postgres';
  for (const certificate of ['ca', 'client'] as const) {
    const cert = parsed[certificate];
    if (cert) tlsCertificateExpiry.set({ connection, certificate }, Date.parse(cert.validTo) / 1000);
  }
  return files;
}
