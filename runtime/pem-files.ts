/**
 * Reading the PEM files that TLS settings name (CAs, certificates, keys) and saying, under the
 * variable's name, what is wrong with one: at start-up, before a handshake would fail with less to go on.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Returns the file's bytes, or records why it cannot be read under the variable's name. */
export function readSetting(variable: string, file: string, problems: string[]): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (err) {
    problems.push(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return undefined;
  }
}

/** Returns the certificate in the PEM bytes, or records what is wrong with it. */
export function certificateOf(variable: string, file: string, pem: Buffer, problems: string[], now: Date): X509Certificate | undefined {
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
export function privateKeyOf(
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
