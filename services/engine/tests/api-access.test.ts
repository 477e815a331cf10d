import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@pulse/logging';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadApiSecurity } from '../src/api/api-access.js';
import { ConfigError, resolveEngineConfig } from '../src/config.js';

describe('resolveEngineConfig access settings', () => {
  it('leaves access control and TLS off by default', () => {
    const config = resolveEngineConfig({});
    expect(config.apiKeysFile).toBeUndefined();
    expect(config.tls).toBeUndefined();
    expect(config.nats).toEqual({});
  });

  it.each([
    [{ PULSE_TLS_CERT_FILE: 'server.pem' }, 'PULSE_TLS_KEY_FILE'],
    [{ PULSE_TLS_KEY_FILE: 'server.key' }, 'PULSE_TLS_CERT_FILE'],
    [{ PULSE_TLS_CA_FILE: 'ca.pem' }, 'PULSE_TLS_CERT_FILE'],
    [{ NATS_TLS_CERT_FILE: 'client.pem' }, 'NATS_TLS_CERT_FILE'],
  ])('refuses %o with a ConfigError naming %s', (env, variable) => {
    const resolve = () => resolveEngineConfig(env);
    expect(resolve).toThrow(ConfigError);
    expect(resolve).toThrow(new RegExp(`^${variable}:`));
  });

  it('reads the TLS and NATS files it is given', () => {
    const config = resolveEngineConfig({
      PULSE_TLS_CERT_FILE: 'server.pem',
      PULSE_TLS_KEY_FILE: 'server.key',
      NATS_CREDS_FILE: 'pulse.creds',
      NATS_TLS_CA_FILE: 'nats-ca.pem',
    });
    expect(config.tls).toEqual({ certFile: 'server.pem', keyFile: 'server.key' });
    expect(config.nats).toEqual({ credsFile: 'pulse.creds', tls: { caFile: 'nats-ca.pem' } });
  });
});

describe('loadApiSecurity', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulse-access-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function load(keysFile: string) {
    const config = resolveEngineConfig({ PULSE_API_KEYS_FILE: keysFile });
    return loadApiSecurity(config, silentLogger());
  }

  it('turns access control on with a valid file', () => {
    const file = join(dir, 'keys.yaml');
    const digest = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    writeFileSync(file, `keys: [{ id: a, sha256: ${digest}, scopes: [decide] }]`);
    const security = load(file);
    expect(security.control.enabled).toBe(true);
    expect(security.control.authenticate('abc')?.id).toBe('a');
  });

  it('names the variable and the field at fault in a ConfigError', () => {
    const file = join(dir, 'keys.yaml');
    writeFileSync(file, 'keys: [{ id: a, sha256: abc, scopes: [decide] }]');
    expect(() => load(file)).toThrow(ConfigError);
    expect(() => load(file)).toThrow(/^PULSE_API_KEYS_FILE: .*keys\[0\]\.sha256/);
  });

  it('names a missing file', () => {
    const file = join(dir, 'missing.yaml');
    expect(() => load(file)).toThrow(/^PULSE_API_KEYS_FILE: .*missing\.yaml: cannot be read/);
  });
});
