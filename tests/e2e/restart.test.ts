import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { publishCalls } from '@pulse/client';
import { resolveCollectorConfig, startCollector } from '@pulse/collector';
import type { Collector } from '@pulse/collector';
import { loadDefinitions } from '@pulse/engine';
import { readFeatures } from '@pulse/features';
import { createClient } from '@pulse/grpc';
import { readUciOnlineRetail } from '@pulse/loaders';
import { silentLogger } from '@pulse/logging';
import { STREAMS } from '@pulse/nats';
import { AudienceService, ProfileService } from '@pulse/proto';
import { PulseStore } from '@pulse/store';
import { UCI_FILE, setup, waitFor } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { spawnEngine } from '../harness/engine-process.js';
import { RETAIL_DEFINITIONS } from '../harness/stack.js';
import { featureNumber } from './helpers.js';
import {
  customerWindow,
  customersWithOrders,
  mostActiveCustomers,
  netRevenuePence,
  readReferenceInvoices,
} from './uci-reference.js';

const AT_MS = Date.UTC(2010, 11, 24);
const ENGINE_DURABLE = 'pulse-engine';
const ENGINE_ENV = { PULSE_CLOCK: 'event', PULSE_BATCH_MAX: '25' };

describe.skipIf(!existsSync(UCI_FILE))(
  'an engine killed with SIGKILL in the middle of the import',
  () => {
    let env: TestEnv;
    let collector: Collector;
    let nc: NatsConnection;
    let jsm: JetStreamManager;

    beforeAll(async () => {
      env = await setup();
      collector = await startCollector(
        resolveCollectorConfig({
          NATS_URL: env.nats.url,
          PULSE_COLLECTOR_GRPC_PORT: '0',
          PULSE_COLLECTOR_METRICS_PORT: '0',
        }),
        silentLogger(),
      );
      nc = await connect({ servers: env.nats.url });
      jsm = await jetstreamManager(nc);
    });

    afterAll(async () => {
      await nc?.close();
      await collector?.stop();
      await env?.cleanup();
    });

    it('restarts to the same figures as the brute-force reference', async () => {
      const first = await spawnEngine(env, ENGINE_ENV);
      const importing = publishCalls(readUciOnlineRetail(UCI_FILE), { nc, source: 'uci' });
      const ackedAtKill = await waitFor(
        async () => {
          const info = await jsm.consumers.info(STREAMS.raw, ENGINE_DURABLE).catch(() => undefined);
          const acked = info?.ack_floor.stream_seq ?? 0;
          return acked >= 300 ? acked : undefined;
        },
        60_000,
        5,
      );
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');

      const totals = await importing;
      const lastSeq = (await jsm.streams.info(STREAMS.raw)).state.last_seq;
      expect(totals.rejected).toBe(0);
      expect(ackedAtKill).toBeLessThan(lastSeq); // the kill landed mid-import

      const second = await spawnEngine(env, ENGINE_ENV);
      await waitFor(async () => {
        const info = await jsm.consumers.info(STREAMS.raw, ENGINE_DURABLE);
        return info.ack_floor.stream_seq >= lastSeq ? true : undefined;
      }, 60_000);
      const invoices = readReferenceInvoices(UCI_FILE);
      const address = `127.0.0.1:${second.grpcPort}`;
      const profiles = createClient(ProfileService, address, { deadlineMs: 30_000 });
      const audiences = createClient(AudienceService, address, { deadlineMs: 30_000 });
      const asOf = { seconds: BigInt(AT_MS / 1_000), nanos: 0 };
      try {
        for (const customerId of mostActiveCustomers(invoices, 5)) {
          const expected = customerWindow(invoices, customerId, AT_MS, 7);
          const identifier = { type: 'user_id', value: customerId };
          const { profile } = await profiles.getProfile({ identifier, asOf });
          expect(featureNumber(profile!, 'orders_7d'), customerId).toBe(expected.orders);
          expect(Math.round(featureNumber(profile!, 'spend_7d')! * 100)).toBe(expected.spendPence);
        }
        let members = 0;
        for await (const chunk of audiences.listMembers({ audienceId: 'repeat_buyers_7d', asOf })) {
          members += chunk.profileIds.length;
        }
        expect(members).toBe(customersWithOrders(invoices, AT_MS, 7, 2).length);
      } finally {
        profiles.close();
        audiences.close();
      }

      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(totalRevenuePence(join(env.dir, 'engine'))).toBe(netRevenuePence(invoices));
    }, 180_000);
  },
);

function totalRevenuePence(dataDir: string): number {
  const store = PulseStore.open({ path: dataDir });
  const defs = loadDefinitions(RETAIL_DEFINITIONS);
  const nowMs = store.positions.get('watermark')!;
  let pence = 0;
  for (const id of store.profileIds()) {
    const features = readFeatures(store.getProfile(id)!.features as never, defs.features, nowMs);
    pence += Math.round((features.spend_lifetime as number) * 100);
  }
  void store.close();
  return pence;
}
