import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { jetstreamManager } from '@nats-io/jetstream';
import { HEADERS, STREAMS, rawSubject, startLocalNatsServer } from '@pulse/nats';
import type { LocalNatsServer } from '@pulse/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, setup, waitFor } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { sendCalls, startStack } from '../harness/stack.js';
import type { Stack } from '../harness/stack.js';

const DEFINITIONS = join(REPO_ROOT, 'tests/e2e/fixtures/offer-shop');
const T = Date.now() - 600_000;
const iso = (ms: number) => new Date(ms).toISOString();

// decision-log.ts says a decision published while NATS is unreachable is
// buffered by the client and sent on reconnect. Decide keeps answering from
// LMDB during a NATS outage, so its DECISION event must reach the stream
// once NATS is back, or no engine learns from it.
describe('a decision made while NATS is down', () => {
  let env: TestEnv;
  let stack: Stack;
  let restarted: LocalNatsServer | undefined;

  beforeAll(async () => {
    env = await setup();
    stack = await startStack(env, { PULSE_DEFINITIONS_DIR: DEFINITIONS });
  });

  afterAll(async () => {
    await stack?.stop();
    await restarted?.stop();
    await env?.cleanup();
  });

  it('reaches the raw stream once NATS is back', async () => {
    await sendCalls(stack.nc, [
      { type: 'identify', userId: 'u1', messageId: 'id-u1', timestamp: iso(T) },
    ]);
    await stack.caughtUp();
    const decide = (atMs: number) =>
      stack.decisions.decide({
        placement: 'home',
        identifiers: [{ type: 'user_id', value: 'u1' }],
        asOf: timestampFromMs(atMs),
      });
    const jsm = await jetstreamManager(stack.nc);
    const lastDecisionId = async () => {
      const last = await jsm.streams
        .getMessage(STREAMS.raw, { last_by_subj: rawSubject('pulse-decisions') })
        .catch(() => undefined);
      return last?.header.get(HEADERS.msgId);
    };
    // With NATS up, the decision is on the stream once Decide answered.
    const before = await decide(T + 30_000);
    await waitFor(async () => ((await lastDecisionId()) === before.decisionId ? true : undefined));

    await env.nats.stop();
    await sleep(300);
    const d = await decide(T + 60_000);
    expect(d.offers).toHaveLength(1);

    restarted = await startLocalNatsServer({
      storeDir: join(env.dir, 'jetstream'),
      port: env.nats.port,
    });
    // Once the collector and the engine are both back, a marker event is applied.
    const marker = { type: 'identify', userId: 'u2', messageId: 'id-u2', timestamp: iso(T) };
    await waitFor(() => sendCalls(stack.nc, [marker]).catch(() => undefined), 30_000, 500);
    await stack.caughtUp();

    expect(await lastDecisionId()).toBe(d.decisionId);
    const { stats } = await stack.decisions.getOfferStats({ placement: 'home' });
    expect(stats.reduce((sum, s) => sum + Number(s.decisions), 0)).toBe(2);
  });
});
