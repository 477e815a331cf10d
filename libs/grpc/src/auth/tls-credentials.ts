import { readFileSync } from 'node:fs';

import { ServerCredentials, credentials as channelCredentials } from '@grpc/grpc-js';
import type { ChannelCredentials } from '@grpc/grpc-js';

import { TlsFileError } from './errors.js';

/** PEM files of a TLS server. */
export interface ServerTlsFiles {
  /** The server's certificate chain. */
  certFile: string;
  /** The server's private key. */
  keyFile: string;
  /** CA bundle that client certificates must chain to; set, it requires them (mTLS). */
  caFile?: string;
}

/** PEM files of a TLS client. */
export interface ClientTlsFiles {
  /** CA bundle the server's certificate must chain to. @default the system roots */
  caFile?: string;
  /** Client certificate for a server that asks for one (mTLS). */
  certFile?: string;
  /** The client certificate's private key. */
  keyFile?: string;
}

/** TLS server credentials from PEM files; with `caFile`, clients must present a certificate. */
export function serverTlsCredentials(files: ServerTlsFiles): ServerCredentials {
  const cert = readPem(files.certFile, 'TLS certificate');
  const key = readPem(files.keyFile, 'TLS private key');
  const ca = files.caFile ? readPem(files.caFile, 'TLS client CA') : null;
  return ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], ca !== null);
}

/** TLS channel credentials from PEM files. */
export function clientTlsCredentials(files: ClientTlsFiles = {}): ChannelCredentials {
  const ca = files.caFile ? readPem(files.caFile, 'TLS CA') : null;
  const key = files.keyFile ? readPem(files.keyFile, 'TLS client key') : null;
  const cert = files.certFile ? readPem(files.certFile, 'TLS client certificate') : null;
  return channelCredentials.createSsl(ca, key, cert);
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TlsFileError(file, what, { cause: err });
  }
}

/** The `PULSE_TLS_*` variables of a service's environment; empty means unset. */
export interface ServerTlsEnv {
  PULSE_TLS_CERT_FILE: string;
  PULSE_TLS_KEY_FILE: string;
  PULSE_TLS_CA_FILE: string;
}

/**
 * Server TLS files from the environment: undefined when none is set. Throws
 * TypeError naming the variable when the set is incomplete.
 */
export function serverTlsFromEnv(env: ServerTlsEnv): ServerTlsFiles | undefined {
  const certFile = env.PULSE_TLS_CERT_FILE.trim();
  const keyFile = env.PULSE_TLS_KEY_FILE.trim();
  const caFile = env.PULSE_TLS_CA_FILE.trim();
  if (certFile === '' && keyFile === '' && caFile === '') return undefined;
  if (certFile === '') throw new TypeError('PULSE_TLS_CERT_FILE: must be set to turn TLS on');
  if (keyFile === '') {
    throw new TypeError('PULSE_TLS_KEY_FILE: must be set with PULSE_TLS_CERT_FILE');
  }
  return Object.freeze(caFile === '' ? { certFile, keyFile } : { certFile, keyFile, caFile });
}
