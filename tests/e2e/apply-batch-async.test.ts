import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toBinary } from '@bufbuild/protobuf';
import { normalizeEvent } from '@pulse/events';
import { readFeatures } from '@pulse/features';
import { silentLogger } from '@pulse/logging';
import { STREAMS } from '@pulse/nats';
import { EventSchema } from '@pulse/proto';
import { PulseStore } from '@pulse/store';
import { afterEach, describe, expect, it } from 'vitest';
import { createClock, loadDefinitions } from '../../services/engine/src/index.js';
import type { Clock } from '../../services/engine/src/clock.js';
import { LearningRuntime } from '../../services/engine/src/decision/learning-state.js';
import { OWN_ALL } from '../../services/engine/src/partition/ownership.js';
import { applyBatch, applyBatchAsync } from '../../services/engine/src/ingest/apply-batch.js';
import type { ApplyContext, StreamMessage } from '../../services/engine/src/ingest/apply-batch.js';
import { RETAIL_DEFINITIONS } from '../harness/stack.js';

const defs = loadDefinitions(RETAIL_DEFINITIONS);
const HOUR_MS = 3_600_000;

/** Three orders of 10, 20 and 30 by one customer, an hour apart. */
function orders(): StreamMessage[] {
  const start = Date.now() - 5 * HOUR_MS;
  return [10, 20, 30].map((revenue, i) => ({
    seq: i + 1,
    data: toBinary(
      EventSchema,
      normalizeEvent(
        {
          type: 'track',
          event: 'Order Completed',
          userId: 'a1',
          messageId: `order-${revenue}`,
          timestamp: new Date(start + i * HOUR_MS).toISOString(),
          properties: { order_id: `o-${revenue}`, revenue },
        },
        { source: 'test', receivedAtMs: Date.now() },
      ),
    ),
  }));
}

function context(store: PulseStore, clock: Clock): ApplyContext {
  return {
    store,
    stream: STREAMS.raw,
    definitions: () => defs,
    clock,
    recheck: { nowRuleRecheckMs: HOUR_MS },
    logger: silentLogger(),
    learning: LearningRuntime.load(store, defs.decisions.learning),
    ownership: OWN_ALL,
  };
}

function spendOf(store: PulseStore): number | undefined {
  const profileId = store.profileIdOf('user_id', 'a1');
  const profile = profileId ? store.getProfile(profileId) : undefined;
  if (!profile) return undefined;
  return readFeatures(profile.features as never, defs.features, Date.now())
    .spend_lifetime as number;
}

describe('applyBatchAsync (commit on LMDB writer thread)', () => {
  const dirs: string[] = [];
  const open = () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulse-apply-async-'));
    dirs.push(dir);
    return PulseStore.open({ path: dir });
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('commits what the synchronous applier commits', async () => {
    const viaSync = open();
    const viaAsync = open();
    // The event clock: "now" is the newest event time, the same in both runs.
    const batch = orders();
    const sync = applyBatch(context(viaSync, createClock('event')), batch);
    const async = await applyBatchAsync(context(viaAsync, createClock('event')), batch);
    expect(async.applied).toBe(3);
    // The same outcome but for the time each held the event loop.
    expect(async.holdMs).toBeGreaterThan(0);
    expect({ ...async, holdMs: 0 }).toEqual({ ...sync, holdMs: 0 });
    // 10 + 20 + 30, worked by hand.
    expect(spendOf(viaAsync)).toBe(60);
    expect(spendOf(viaSync)).toBe(60);
    expect(viaAsync.appliedSequence(STREAMS.raw)).toBe(3);
    await viaSync.close();
    await viaAsync.close();
  });

  it('rolls the whole batch back when it fails midway, then applies it once', async () => {
    const store = open();
    const wall = createClock('wall');
    let observed = 0;
    // Fails while applying the second order, after the first was written.
    const failing: Clock = {
      ...wall,
      observe(timeMs) {
        observed += 1;
        if (observed === 2) throw new Error('injected fault');
        wall.observe(timeMs);
      },
    };
    await expect(applyBatchAsync(context(store, failing), orders())).rejects.toThrow(
      'injected fault',
    );
    expect(store.appliedSequence(STREAMS.raw)).toBe(0);
    expect(store.profileIdOf('user_id', 'a1')).toBeUndefined();
    expect(store.isDuplicate('order-10')).toBe(false);

    const again = await applyBatchAsync(context(store, createClock('wall')), orders());
    expect(again).toMatchObject({ applied: 3, duplicates: 0, replayed: 0 });
    expect(spendOf(store)).toBe(60);
    await store.close();
  });
});
