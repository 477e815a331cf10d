import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../harness/cli-process.js';
import { useStack } from '../harness/stack.js';
import { makeTestCertificates } from '../harness/tls-files.js';

// The digest of "reader-key", from `printf %s reader-key | sha256sum`.
const KEYS_FILE = `keys:
  - id: reader
    sha256: ec4408df15da46b328f6f3246fa723d0aa6cb0f0a0dd9c4626080ab1b02aa3b2
    scopes: [audience:read]
`;

describe('the pulse CLI against an engine with keys and TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-cli-access-'));
  const certs = makeTestCertificates(join(dir, 'tls'));
  writeFileSync(join(dir, 'api-keys.yaml'), KEYS_FILE);
  const fixture = useStack({
    PULSE_API_KEYS_FILE: join(dir, 'api-keys.yaml'),
    PULSE_TLS_CERT_FILE: certs.serverCertFile,
    PULSE_TLS_KEY_FILE: certs.serverKeyFile,
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function pulse(args: string[], env: Record<string, string> = {}) {
    const run = spawnCli(args, { PULSE_API_KEY: '', PULSE_CLIENT_TLS_CA_FILE: '', ...env });
    const code = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  }

  const audiences = () => [
    'audiences',
    '--json',
    '--engine',
    `localhost:${fixture.stack.engine.grpcPort}`,
  ];

  it('lists audiences with --api-key and --tls-ca', async () => {
    const run = await pulse([...audiences(), '--api-key', 'reader-key', '--tls-ca', certs.caFile]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).audiences.length).toBeGreaterThan(0);
  });

  it('takes the key and the CA from PULSE_API_KEY and PULSE_CLIENT_TLS_CA_FILE', async () => {
    const env = { PULSE_API_KEY: 'reader-key', PULSE_CLIENT_TLS_CA_FILE: certs.caFile };
    expect((await pulse(audiences(), env)).code).toBe(0);
  });

  it('fails with exit 1 and says so without a key', async () => {
    const run = await pulse([...audiences(), '--tls-ca', certs.caFile]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/UNAUTHENTICATED|API key required/);
  });

  it('fails without the CA', async () => {
    expect((await pulse([...audiences(), '--api-key', 'reader-key'])).code).toBe(1);
  });

  it('makes a key whose printed digest is its SHA-256', async () => {
    const run = await pulse(['api-key', 'create', 'shop-web', '--scopes', 'ingest', '--json']);
    const { key, entry } = JSON.parse(run.stdout);
    expect(entry.sha256).toBe(createHash('sha256').update(key).digest('hex'));
    expect(entry).toMatchObject({ id: 'shop-web', scopes: ['ingest'] });
  });
});
