import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser } from '@nats-io/nkeys';
import { silentLogger } from '@pulse/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { connectNats, natsSecurityFromEnv, startLocalNatsServer } from '../src/index.js';
import type { LocalNatsServer, NatsSecurityEnv } from '../src/index.js';

const NO_SECURITY: NatsSecurityEnv = {
  NATS_CREDS_FILE: '',
  NATS_TLS_CA_FILE: '',
  NATS_TLS_CERT_FILE: '',
  NATS_TLS_KEY_FILE: '',
};

describe('natsSecurityFromEnv', () => {
  it.each([
    [{}, {}],
    [{ NATS_CREDS_FILE: 'a.creds' }, { credsFile: 'a.creds' }],
    [{ NATS_TLS_CA_FILE: 'ca.pem' }, { tls: { caFile: 'ca.pem' } }],
    [
      { NATS_TLS_CERT_FILE: 'c.pem', NATS_TLS_KEY_FILE: 'c.key' },
      { tls: { certFile: 'c.pem', keyFile: 'c.key' } },
    ],
  ])('reads %o as %o', (env, expected) => {
    expect(natsSecurityFromEnv({ ...NO_SECURITY, ...env })).toEqual(expected);
  });

  it.each([{ NATS_TLS_CERT_FILE: 'c.pem' }, { NATS_TLS_KEY_FILE: 'c.key' }])(
    'refuses a client certificate without its key or the reverse: %o',
    (env) => {
      expect(() => natsSecurityFromEnv({ ...NO_SECURITY, ...env })).toThrow(/NATS_TLS_CERT_FILE/);
    },
  );
});

describe('connectNats with a credentials file', () => {
  let dir: string;
  let nats: LocalNatsServer;
  let credsFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pulse-nats-creds-'));
    const user = createUser();
    const publicKey = user.getPublicKey();
    const seed = new TextDecoder().decode(user.getSeed());
    const config = join(dir, 'server.conf');
    writeFileSync(config, `authorization { users = [ { nkey: "${publicKey}" } ] }\n`);
    // A server without an operator checks the nkey signature and ignores the JWT part.
    credsFile = join(dir, 'pulse.creds');
    writeFileSync(
      credsFile,
      [
        '-----BEGIN NATS USER JWT-----',
        'not-checked-without-an-operator',
        '------END NATS USER JWT------',
        '',
        '-----BEGIN USER NKEY SEED-----',
        seed,
        '------END USER NKEY SEED------',
        '',
      ].join('\n'),
    );
    nats = await startLocalNatsServer({ storeDir: join(dir, 'js'), extraArgs: ['-c', config] });
  });

  afterAll(async () => {
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const connect = (credentials?: string) =>
    connectNats({
      servers: nats.url,
      name: 'creds-test',
      logger: silentLogger(),
      security: credentials ? { credsFile: credentials } : {},
    });

  it('connects with the credentials', async () => {
    const nc = await connect(credsFile);
    await nc.flush();
    await nc.close();
  });

  it('is refused without them', async () => {
    await expect(connect()).rejects.toThrow();
  });

  it('names a credentials file it cannot read', async () => {
    const missing = join(dir, 'missing.creds');
    await expect(connect(missing)).rejects.toThrow(/missing\.creds cannot be read/);
  });
});
