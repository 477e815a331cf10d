import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** PEM files of a throwaway CA, a server certificate for localhost and a client certificate. */
export interface TestCertificates {
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** A second CA that signed nothing here: trusting it must not be enough. */
  otherCaFile: string;
}

/**
 * Makes a CA and certificates with the `openssl` command (P-256 keys, valid
 * one day) in `dir`. The server certificate names localhost and 127.0.0.1.
 */
export function makeTestCertificates(dir: string): TestCertificates {
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => join(dir, name);
  makeCa(file('ca'), 'pulse-test-ca');
  makeCa(file('other-ca'), 'pulse-other-ca');
  makeLeaf(dir, 'server', 'localhost', [
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    'extendedKeyUsage=serverAuth',
  ]);
  makeLeaf(dir, 'client', 'pulse-test-client', ['extendedKeyUsage=clientAuth']);
  return {
    caFile: file('ca.pem'),
    serverCertFile: file('server.pem'),
    serverKeyFile: file('server.key'),
    clientCertFile: file('client.pem'),
    clientKeyFile: file('client.key'),
    otherCaFile: file('other-ca.pem'),
  };
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(base: string, name: string): void {
  openssl(
    ['req', '-x509', ...EC_KEY, '-keyout', `${base}.key`, '-out', `${base}.pem`]
      .concat(['-days', '1', '-subj', `/CN=${name}`])
      .concat(['-addext', 'basicConstraints=critical,CA:TRUE'])
      .concat(['-addext', 'keyUsage=critical,keyCertSign,cRLSign']),
  );
}

function makeLeaf(dir: string, name: string, commonName: string, extensions: string[]): void {
  const base = join(dir, name);
  const extFile = `${base}.ext`;
  writeFileSync(extFile, `${extensions.join('\n')}\n`);
  openssl([
    'req',
    ...EC_KEY,
    '-keyout',
    `${base}.key`,
    '-out',
    `${base}.csr`,
    '-subj',
    `/CN=${commonName}`,
  ]);
  openssl(
    ['x509', '-req', '-in', `${base}.csr`, '-CA', join(dir, 'ca.pem')]
      .concat(['-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-out', `${base}.pem`])
      .concat(['-days', '1', '-extfile', extFile]),
  );
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
