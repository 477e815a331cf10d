import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, credentials, status as Status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { jetstreamManager } from '@nats-io/jetstream';
import { timestampFromMs } from '@pulse/events';
import { createClient } from '@pulse/grpc';
import { STREAMS } from '@pulse/nats';
import {
  AudienceService,
  DecisionService,
  EventOutcome,
  EventType,
  IngestService,
  ProfileService,
} from '@pulse/proto';
import { service as healthService } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { startStack } from '../harness/stack.js';
import type { Stack } from '../harness/stack.js';

// Digests from `printf %s <key> | sha256sum`, written out here so the test
// does not trust the code under test to hash.
const KEYS_FILE = `
keys:
  - id: reader
    sha256: ec4408df15da46b328f6f3246fa723d0aa6cb0f0a0dd9c4626080ab1b02aa3b2 # reader-key
    scopes: [audience:read]
  - id: ops
    sha256: 69a5265506c94c77b787a7d7377b7685a0eff82e33920a71e7ee22cd6154953e # admin-key
    scopes: [admin]
  - id: web
    sha256: facd3991f687d349439575a49727ad88f56fdb0043b36744314bd2e15511c01e # ingest-key
    scopes: [ingest]
    source: shop
  - id: app
    sha256: 89455d58f808c17e99cbbe843e386d3b5ffdc15ab3d6c5b38b0048e03b82fa67 # decider-key
    scopes: [decide, profile:read]
`;

const EVENT = {
  userId: 'u-1',
  event: 'Viewed',
  messageId: 'acl-1',
  timestamp: '2024-05-01T12:00Z',
};

describe('access control on the engine and the collector', () => {
  let env: TestEnv;
  let stack: Stack;
  let engine: string;
  let collector: string;

  beforeAll(async () => {
    env = await setup();
    const keysFile = join(env.dir, 'api-keys.yaml');
    writeFileSync(keysFile, KEYS_FILE);
    stack = await startStack(env, {
      PULSE_API_KEYS_FILE: keysFile,
      PULSE_COLLECTOR_HTTP_HOST: '127.0.0.1',
      PULSE_COLLECTOR_HTTP_PORT: '0',
    });
    engine = `127.0.0.1:${stack.engine.grpcPort}`;
    collector = `127.0.0.1:${stack.collector.grpcPort}`;
  });

  afterAll(async () => {
    await stack?.stop();
    await env?.cleanup();
  });

  function clientOf<S extends Parameters<typeof createClient>[0]>(
    service: S,
    address: string,
    apiKey?: string,
  ) {
    return createClient(service, address, { apiKey, deadlineMs: 10_000 });
  }

  async function codeOf(call: Promise<unknown>): Promise<Status> {
    try {
      await call;
      return Status.OK;
    } catch (err) {
      return (err as ServiceError).code;
    }
  }

  /** The value of one labelled sample on a /metrics page; 0 when absent. */
  async function metric(opsPort: number, name: string, labels: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  it('refuses an engine call without a key with UNAUTHENTICATED', async () => {
    const profiles = clientOf(ProfileService, engine);
    const call = profiles.getProfile({ identifier: { type: 'user_id', value: 'u-1' } });
    expect(await codeOf(call)).toBe(Status.UNAUTHENTICATED);
    profiles.close();
  });

  it('refuses a key without the scope with PERMISSION_DENIED and counts it', async () => {
    const profiles = clientOf(ProfileService, engine, 'reader-key');
    const labels = 'service="pulse.v1.ProfileService",method="GetProfile",code="PERMISSION_DENIED"';
    const before = await metric(stack.engine.opsPort, 'pulse_grpc_auth_denied_total', labels);

    const err = await profiles
      .getProfile({ identifier: { type: 'user_id', value: 'u-1' } })
      .catch((e: ServiceError) => e);

    expect((err as ServiceError).code).toBe(Status.PERMISSION_DENIED);
    expect((err as ServiceError).details).toContain('profile:read');
    const after = await metric(stack.engine.opsPort, 'pulse_grpc_auth_denied_total', labels);
    expect(after - before).toBe(1);
    profiles.close();
  });

  it.each([
    ['AudienceService.ListAudiences', 'reader-key', Status.OK],
    ['AudienceService.ListAudiences', 'decider-key', Status.PERMISSION_DENIED],
    ['DecisionService.Decide', 'decider-key', Status.OK],
    ['DecisionService.Decide', 'admin-key', Status.PERMISSION_DENIED],
    ['DecisionService.GetOfferStats', 'admin-key', Status.OK],
    ['DecisionService.GetOfferStats', 'decider-key', Status.OK],
    ['DecisionService.GetOfferStats', 'reader-key', Status.PERMISSION_DENIED],
    ['ProfileService.DeleteProfile', 'decider-key', Status.PERMISSION_DENIED],
    ['ProfileService.GetProfile', 'unknown-key', Status.UNAUTHENTICATED],
  ])('answers %s with key %s: code %i', async (method, key, code) => {
    const calls: Record<string, () => Promise<unknown>> = {
      'AudienceService.ListAudiences': () =>
        clientOf(AudienceService, engine, key).listAudiences({}),
      'DecisionService.Decide': () =>
        clientOf(DecisionService, engine, key).decide({
          placement: 'homepage',
          identifiers: [{ type: 'user_id', value: 'nobody' }],
          limit: 1,
        }),
      'DecisionService.GetOfferStats': () =>
        clientOf(DecisionService, engine, key).getOfferStats({ placement: 'homepage' }),
      'ProfileService.DeleteProfile': () =>
        clientOf(ProfileService, engine, key).deleteProfile({
          identifier: { type: 'user_id', value: 'nobody' },
        }),
      'ProfileService.GetProfile': () =>
        clientOf(ProfileService, engine, key).getProfile({
          identifier: { type: 'user_id', value: 'nobody' },
        }),
    };
    expect(await codeOf(calls[method]!())).toBe(code);
  });

  it('answers the standard health check without a key', async () => {
    const raw = new Client(engine, credentials.createInsecure());
    const check = healthService.Check!;
    const status = await new Promise((resolve, reject) =>
      raw.makeUnaryRequest(
        check.path,
        check.requestSerialize,
        check.responseDeserialize,
        { service: 'pulse.v1.ProfileService' },
        (err, response) => (err ? reject(err) : resolve((response as { status: string }).status)),
      ),
    );
    raw.close();
    expect(status).toBe('SERVING');
  });

  it('takes gRPC ingest only from a key with the ingest scope, under its source', async () => {
    const event = {
      type: EventType.TRACK,
      event: 'Viewed',
      messageId: 'acl-grpc-1',
      timestamp: timestampFromMs(Date.now()),
      identifiers: [{ type: 'user_id', value: 'u-1' }],
    };
    const denied = clientOf(IngestService, collector, 'decider-key');
    const allowed = clientOf(IngestService, collector, 'ingest-key');
    const labels = 'service="pulse.v1.IngestService",method="Ingest",code="PERMISSION_DENIED"';

    expect(await codeOf(denied.ingest({ event }))).toBe(Status.PERMISSION_DENIED);
    const { result } = await allowed.ingest({ event });
    expect(result?.outcome).toBe(EventOutcome.ACCEPTED);
    expect(await metric(stack.collector.opsPort, 'pulse_grpc_auth_denied_total', labels)).toBe(1);
    // Filed under the key's source, `shop` in the keys file.
    const jsm = await jetstreamManager(stack.nc);
    const stored = await jsm.streams.getMessage(STREAMS.raw, { last_by_subj: 'pulse.raw.shop' });
    expect(stored).not.toBeNull();
  });

  describe('the HTTP intake', () => {
    function track(user?: string) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (user !== undefined) {
        headers.authorization = `Basic ${Buffer.from(`${user}:`).toString('base64')}`;
      }
      const url = `http://127.0.0.1:${stack.collector.httpPort}/v1/track`;
      return fetch(url, { method: 'POST', headers, body: JSON.stringify(EVENT) });
    }

    it('serves when only API keys are configured', () => {
      expect(stack.collector.httpPort).toBeGreaterThan(0);
    });

    it.each([
      [401, 'no key', undefined],
      [401, 'an unknown key', 'guessed-key'],
      [403, 'a key without the ingest scope', 'reader-key'],
      [200, 'a key with the ingest scope', 'ingest-key'],
    ])('answers %i to a request with %s', async (status, _what, user) => {
      const response = await track(user);
      expect(response.status).toBe(status);
    });

    it('counts refusals by status', async () => {
      const before = await metric(
        stack.collector.opsPort,
        'pulse_collector_http_auth_denied_total',
        'code="403"',
      );
      await track('decider-key');
      const after = await metric(
        stack.collector.opsPort,
        'pulse_collector_http_auth_denied_total',
        'code="403"',
      );
      expect(after - before).toBe(1);
    });
  });
});
