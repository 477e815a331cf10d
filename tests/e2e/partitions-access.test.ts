/**
 * Break tests for access control with partitioned engines (issue 7): the
 * engine the client called checks the key; a call forwarded to the owner
 * must not let a key reach a method its scopes do not grant.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { status as Status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { partitionOf } from '@pulse/engine';
import { createClient } from '@pulse/grpc';
import { AudienceService, ProfileService } from '@pulse/proto';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { spawnCollector } from '../harness/engine-process.js';
import type { EngineProcess } from '../harness/engine-process.js';
import { generateStream } from './merge-heavy-stream.js';
import { caughtUp, metric, publish, settled, startNode, stopNode } from './partition-nodes.js';
import type { EngineNode } from './partition-nodes.js';

const PARTITIONS = 6;
const LEASE_MS = 3_000;

// Digests written out (printf %s <key> | sha256sum), as in access-control.test.ts.
const KEYS_FILE = `
keys:
  - id: reader
    sha256: ec4408df15da46b328f6f3246fa723d0aa6cb0f0a0dd9c4626080ab1b02aa3b2 # reader-key
    scopes: [audience:read]
  - id: app
    sha256: 89455d58f808c17e99cbbe843e386d3b5ffdc15ab3d6c5b38b0048e03b82fa67 # decider-key
    scopes: [decide, profile:read]
`;

describe('API key scopes with partitioned engines', () => {
  let env: TestEnv;
  let collector: EngineProcess;
  let nc: NatsConnection;
  const nodes: EngineNode[] = [];
  const generated = generateStream('acl');
  let a1: EngineNode;
  let a2: EngineNode;
  /** A user whose profile a2 owns. */
  let remoteUser = '';

  beforeAll(async () => {
    env = await setup();
    const keysFile = join(env.dir, 'api-keys.yaml');
    writeFileSync(keysFile, KEYS_FILE);
    collector = await spawnCollector(env);
    nc = await connect({ servers: env.nats.url });
    const extra = {
      PULSE_PARTITIONS: String(PARTITIONS),
      PULSE_LEASE_MS: String(LEASE_MS),
      PULSE_API_KEYS_FILE: keysFile,
    };
    const started = await Promise.all(['a1', 'a2'].map((n) => startNode(env, n, extra)));
    a1 = started[0]!;
    a2 = started[1]!;
    nodes.push(a1!, a2!);
    await settled([a1!, a2!], PARTITIONS, LEASE_MS);
    await publish(nc, generated.calls.slice(0, 1_500), 'acl');
    await caughtUp(nc, [a1!, a2!]);
    const kv = await new Kvm(nc).open('PULSE_PARTITIONS');
    const app = createClient(ProfileService, `127.0.0.1:${a2!.handle.grpcPort}`, {
      apiKey: 'decider-key',
    });
    for (const user of [...generated.users].sort()) {
      const identifier = { type: 'user_id', value: user };
      const found = await app.getProfile({ identifier }).catch(() => undefined);
      if (!found) continue;
      const p = partitionOf(found.profile!.profileId, PARTITIONS);
      if ((await kv.get(`lease.${p}`))?.json<{ owner: string }>().owner === 'a2') {
        remoteUser = user;
        break;
      }
    }
    app.close();
  }, 240_000);

  afterAll(async () => {
    for (const node of nodes) await stopNode(node);
    await nc?.close();
    collector?.child.kill('SIGTERM');
    await collector?.exited;
    await env?.cleanup();
  });

  const code = async (call: () => Promise<unknown>) => {
    try {
      await call();
      return 'OK';
    } catch (err) {
      return Status[(err as ServiceError).code];
    }
  };

  it('refuses GetProfile about another engine’s profile to a key without profile:read, and counts it', async () => {
    expect(remoteUser).not.toBe('');
    const address = `127.0.0.1:${a1.handle.grpcPort}`;
    const reader = createClient(ProfileService, address, { apiKey: 'reader-key' });
    const app = createClient(ProfileService, address, { apiKey: 'decider-key' });
    const identifier = { type: 'user_id', value: remoteUser };
    const before = await metric(a1, 'pulse_grpc_auth_denied_total');
    expect(await code(() => reader.getProfile({ identifier }))).toBe('PERMISSION_DENIED');
    expect(await code(() => app.getProfile({ identifier }))).toBe('OK');
    const text = await (await fetch(`http://127.0.0.1:${a1.metricsPort}/metrics`)).text();
    expect(text).toMatch(/pulse_grpc_auth_denied_total\{[^}]*method="GetProfile"[^}]*\} 1/);
    expect(before).toBe(0);
    reader.close();
    app.close();
  });

  it('refuses Check about another engine’s profile to a key with only profile:read', async () => {
    const address = `127.0.0.1:${a1.handle.grpcPort}`;
    const app = createClient(AudienceService, address, { apiKey: 'decider-key' });
    const reader = createClient(AudienceService, address, { apiKey: 'reader-key' });
    const identifier = { type: 'user_id', value: remoteUser };
    expect(await code(() => app.check({ audienceId: 'uk', identifier }))).toBe('PERMISSION_DENIED');
    expect(await code(() => reader.check({ audienceId: 'uk', identifier }))).toBe('OK');
    const firstPage = async () => {
      for await (const page of app.listMembers({ audienceId: 'uk' })) return page;
      return undefined;
    };
    expect(await code(firstPage)).toBe('PERMISSION_DENIED');
    app.close();
    reader.close();
  });
});
