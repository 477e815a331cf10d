import { Client, Metadata, credentials, status as Status } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { AudienceService, DiagnosticsService } from '@pulse/proto';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';

import { ApiKeyRing, bindService, createAccessControl, createClient } from '../src/index.js';
import type { ApiKey, MethodScopes, ServiceHandlers } from '../src/index.js';
import { Cleanup, captureLogger, rejectionOf, startServer } from './harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

// Digests written out, not computed by the code under test: SHA-256 of
// "reader-key" and "admin-key" (`printf %s reader-key | sha256sum`).
const READER_SHA256 = 'ec4408df15da46b328f6f3246fa723d0aa6cb0f0a0dd9c4626080ab1b02aa3b2';
const ADMIN_SHA256 = '69a5265506c94c77b787a7d7377b7685a0eff82e33920a71e7ee22cd6154953e';

const AUDIENCE_SCOPES: MethodScopes<typeof AudienceService> = {
  check: ['audience:read'],
  batchCheck: ['audience:read'],
  listMembers: ['audience:read'],
  listAudiences: ['audience:read', 'admin'],
};

const unused = async (): Promise<never> => {
  throw new Error('not used in this test');
};

interface Served {
  address: string;
  registry: Registry;
  seen: (ApiKey | undefined)[];
}

async function serve(keys: ApiKeyRing | undefined): Promise<Served> {
  const { logger } = captureLogger();
  const registry = new Registry();
  const control = createAccessControl({ keys, logger, registry });
  const seen: (ApiKey | undefined)[] = [];
  const handlers: ServiceHandlers<typeof AudienceService> = {
    check: unused,
    batchCheck: unused,
    async listAudiences(_request, call) {
      seen.push(call.apiKey);
      return { audiences: [] };
    },
    async *listMembers() {
      yield { members: [] };
    },
  };
  const access = { control, scopes: AUDIENCE_SCOPES };
  const server = cleanup.server(
    await startServer([bindService(AudienceService, handlers, { logger, access })], { logger }),
  );
  return { address: server.address, registry, seen };
}

function ring(): ApiKeyRing {
  return new ApiKeyRing([
    { id: 'reader', sha256: READER_SHA256, scopes: new Set(['audience:read']), source: 'r' },
    { id: 'ops', sha256: ADMIN_SHA256, scopes: new Set(['admin']), source: 'o' },
  ]);
}

function client(address: string, apiKey?: string) {
  const c = createClient(AudienceService, address, { apiKey });
  cleanup.add(() => c.close());
  return c;
}

async function deniedCount(registry: Registry, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric('pulse_grpc_auth_denied_total')!.get();
  const match = metric.values.find((v) =>
    Object.entries(labels).every(([k, value]) => v.labels[k] === value),
  );
  return match?.value ?? 0;
}

function checkHealth(address: string): Promise<string> {
  const raw = new Client(address, credentials.createInsecure());
  cleanup.add(() => raw.close());
  const check = healthService.Check!;
  return new Promise((resolve, reject) => {
    raw.makeUnaryRequest(
      check.path,
      check.requestSerialize,
      check.responseDeserialize,
      { service: '' },
      (err, response) => (err ? reject(err) : resolve((response as { status: string }).status)),
    );
  });
}

async function firstChunk(iterable: AsyncIterable<unknown>): Promise<unknown> {
  for await (const chunk of iterable) return chunk;
  return undefined;
}

describe('access control on bound services', () => {
  it('refuses a call without a key with UNAUTHENTICATED and counts it', async () => {
    const { address, registry } = await serve(ring());

    const err = await rejectionOf(client(address).listAudiences({}));

    expect(err.code).toBe(Status.UNAUTHENTICATED);
    const labels = {
      service: 'pulse.v1.AudienceService',
      method: 'ListAudiences',
      code: 'UNAUTHENTICATED',
    };
    expect(await deniedCount(registry, labels)).toBe(1);
  });

  it('refuses an unknown key with UNAUTHENTICATED', async () => {
    const { address } = await serve(ring());
    const err = await rejectionOf(client(address, 'guessed-key').listAudiences({}));
    expect(err.code).toBe(Status.UNAUTHENTICATED);
  });

  it('refuses a known key without the scope with PERMISSION_DENIED naming it', async () => {
    const { address, registry } = await serve(ring());

    const err = await rejectionOf(firstChunk(client(address, 'admin-key').listMembers({})));

    expect(err.code).toBe(Status.PERMISSION_DENIED);
    expect(err.details).toContain("'audience:read'");
    const labels = { method: 'ListMembers', code: 'PERMISSION_DENIED' };
    expect(await deniedCount(registry, labels)).toBe(1);
  });

  it('admits a key with any of the accepted scopes and hands it to the handler', async () => {
    const { address, seen } = await serve(ring());

    await client(address, 'reader-key').listAudiences({});
    await client(address, 'admin-key').listAudiences({});

    expect(seen.map((key) => key?.id)).toEqual(['reader', 'ops']);
  });

  it('takes the key from x-api-key as well', async () => {
    const { address } = await serve(ring());
    const metadata = new Metadata();
    metadata.set('x-api-key', 'reader-key');
    const chunk = await firstChunk(client(address).listMembers({}, { metadata }));
    expect(chunk).toBeDefined();
  });

  it('answers the health check without a key', async () => {
    const { address } = await serve(ring());
    expect(await checkHealth(address)).toBe('SERVING');
  });

  it('lets every call through when no keys are configured', async () => {
    const { address, seen } = await serve(undefined);
    await client(address).listAudiences({});
    expect(seen).toEqual([undefined]);
  });

  it('warns once at creation when no keys are configured', () => {
    const { logger, lines } = captureLogger();
    createAccessControl({ keys: new ApiKeyRing([]), logger });
    expect(lines.filter((line) => line.level === 40)).toHaveLength(1);
  });

  it('throws TypeError at bind time when a method has no scopes', () => {
    const { logger } = captureLogger();
    const control = createAccessControl({ keys: ring(), logger });
    const scopes = { ping: undefined } as unknown as MethodScopes<typeof DiagnosticsService>;
    const bind = () =>
      bindService(DiagnosticsService, { ping: unused }, { logger, access: { control, scopes } });
    expect(bind).toThrow(TypeError);
  });
});
