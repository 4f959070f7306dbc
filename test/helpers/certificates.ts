/**
 * Certificates for the TLS tests, made with the openssl command (Debian's, on every machine the suite
 * runs on) the way an operator would: a CA, then server and client certificates it signs. EC P-256 keys
 * keep generation fast; each certificate is valid for two days from now.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Issued {
  cert: string;
  key: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Returns a new self-signed CA in dir, its files named after `name`. */
export function makeCa(dir: string, name: string): Issued {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  openssl(dir, ['req', '-x509', ...EC_KEY, '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`]);
  return { cert, key };
}

/**
 * Returns a certificate for `name` signed by `ca`: for a server with its subject alternative names
 * (`DNS:temporal.internal`, `IP:127.0.0.1`), or for a client.
 */
export function issue(dir: string, ca: Issued, name: string, use: { server: string[] } | 'client'): Issued {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  writeFileSync(
    ext,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      use === 'client' ? 'extendedKeyUsage=clientAuth' : `extendedKeyUsage=serverAuth\nsubjectAltName=${use.server.join(',')}`,
    ].join('\n'),
  );
  openssl(dir, ['req', '-new', ...EC_KEY, '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
  openssl(dir, ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '2', '-out', cert, '-extfile', ext]);
  return { cert, key };
}
