import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fromBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { jetstream } from '@nats-io/jetstream';
import { STREAMS } from '@pulse/nats';
import { EventSchema, EventType, OfferVerdict } from '@pulse/proto';
import type { DecideResponse } from '@pulse/proto';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, waitFor } from '../harness/index.js';
import { sendCalls, startStack, useStack } from '../harness/stack.js';

const run = promisify(execFile);
const DEFINITIONS = join(REPO_ROOT, 'tests/e2e/fixtures/offer-shop');
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** A base a little in the past; decisions use `as_of` from here on. */
const T = Date.now() - 10 * MINUTE_MS;
const iso = (ms: number) => new Date(ms).toISOString();

describe('offer decisions: contact policy, feedback, learning (fixtures/offer-shop)', () => {
  const t = useStack({ PULSE_DEFINITIONS_DIR: DEFINITIONS });

  const decideAt = (user: string, placement: string, atMs: number, explain = true) =>
    t.stack.decisions.decide({
      placement,
      identifiers: [{ type: 'user_id', value: user }],
      asOf: timestampFromMs(atMs),
      explain,
    });
  const chosen = (d: DecideResponse) => d.offers.map((o) => o.offerId);
  const verdictOf = (d: DecideResponse, offerId: string) =>
    d.considered.find((c) => c.offerId === offerId);

  async function known(user: string): Promise<void> {
    await sendCalls(t.stack.nc, [
      { type: 'identify', userId: user, messageId: `id-${user}`, timestamp: iso(T) },
    ]);
    await t.stack.caughtUp();
  }

  async function feedback(
    user: string,
    event: string,
    decisionId: string,
    offerId: string,
    ms: number,
  ) {
    const report = await sendCalls(t.stack.nc, [
      {
        type: 'track',
        event,
        userId: user,
        messageId: `${event}-${decisionId}-${offerId}-${ms}`,
        timestamp: iso(ms),
        properties: { decision_id: decisionId, offer_id: offerId },
      },
    ]);
    expect(report.accepted).toBe(1);
  }

  it('leaves an offer capped at 2 impressions a day out of the third decision, and back the next day', async () => {
    await known('c1');
    expect(chosen(await decideAt('c1', 'banner', T))).toEqual(['banner_sale']);
    expect(chosen(await decideAt('c1', 'banner', T + MINUTE_MS))).toEqual(['banner_sale']);
    const third = await decideAt('c1', 'banner', T + 2 * MINUTE_MS);
    expect(chosen(third)).toEqual(['banner_plain']);
    expect(verdictOf(third, 'banner_sale')?.verdict).toBe(OfferVerdict.CAPPED);
    expect(verdictOf(third, 'banner_sale')?.explanation).toMatch(/^capped/);
    // The cap holds once the decisions came back from the stream, too.
    await t.stack.caughtUp();
    expect(chosen(await decideAt('c1', 'banner', T + 3 * MINUTE_MS))).toEqual(['banner_plain']);
    // A day after the first impression, one of the two has left the window.
    const nextDay = await decideAt('c1', 'banner', T + DAY_MS + MINUTE_MS / 2);
    expect(chosen(nextDay)).toEqual(['banner_sale']);
    // Every decision comes back from the stream and counts, one made days
    // ahead too: banner_sale was chosen 3 times above, then once more.
    const decisionsOf = async (offerId: string) => {
      const { stats } = await t.stack.decisions.getOfferStats({ placement: 'banner' });
      return stats.find((o) => o.offerId === offerId)?.decisions ?? 0n;
    };
    await waitFor(
      async () => ((await decisionsOf('banner_sale')) === 3n ? true : undefined),
      10_000,
    );
    await decideAt('c1', 'banner', T + 3 * DAY_MS);
    await waitFor(
      async () => ((await decisionsOf('banner_sale')) === 4n ? true : undefined),
      10_000,
    );
  });

  it('removes an offer for 7 days of event time after a conversion', async () => {
    await known('c2');
    const first = await decideAt('c2', 'checkout', T);
    expect(chosen(first)).toEqual(['coupon']);
    await feedback('c2', 'Offer Converted', first.decisionId, 'coupon', T + 60 * MINUTE_MS);
    await t.stack.caughtUp();
    const during = await decideAt('c2', 'checkout', T + 2 * 60 * MINUTE_MS);
    expect(chosen(during)).toEqual(['free_gift']);
    expect(verdictOf(during, 'coupon')?.verdict).toBe(OfferVerdict.COOLING_DOWN);
    const lastDay = await decideAt('c2', 'checkout', T + 60 * MINUTE_MS + 7 * DAY_MS - MINUTE_MS);
    expect(chosen(lastDay)).toEqual(['free_gift']);
    const after = await decideAt('c2', 'checkout', T + 60 * MINUTE_MS + 7 * DAY_MS + MINUTE_MS);
    expect(chosen(after)).toEqual(['coupon']);
  });

  it('decides for a visitor with no history, and logs every decision to the stream', async () => {
    const d = await t.stack.decisions.decide({
      placement: 'checkout',
      identifiers: [{ type: 'anonymous_id', value: 'never-seen' }],
      explain: true,
    });
    expect(d.profileId).toBe('');
    expect(chosen(d)).toEqual(['coupon']);
    expect(d.considered.map((c) => [c.offerId, c.verdict])).toEqual([
      ['coupon', OfferVerdict.CHOSEN],
      ['free_gift', OfferVerdict.OUTRANKED],
    ]);
    const logged = await waitFor(async () => {
      const jsm = await jetstream(t.stack.nc).jetstreamManager();
      const message = await jsm.streams.getMessage(STREAMS.raw, {
        last_by_subj: 'pulse.raw.pulse-decisions',
      });
      const event = fromBinary(EventSchema, message!.data);
      return event.decision?.decisionId === d.decisionId ? event : undefined;
    }, 10_000);
    expect(logged.type).toBe(EventType.DECISION);
    await expect(
      t.stack.decisions.decide({ placement: 'nowhere', identifiers: [] }),
    ).rejects.toMatchObject({ code: 3, details: expect.stringMatching(/^placement: /) });
    expect(logged.decision!.chosen).toEqual(['coupon']);
    // Scores as the catalogue gives them with the fixed model: priority x value.
    expect(logged.decision!.consideredOfferIds.split('\n')).toEqual(['coupon', 'free_gift']);
    expect(logged.decision!.consideredScores).toEqual([50, 1]);
    expect(logged.decision!.consideredVerdicts).toEqual([
      OfferVerdict.CHOSEN,
      OfferVerdict.OUTRANKED,
    ]);
  });

  it('learns from feedback, counts it once, and keeps it through a restart and on a second engine', async () => {
    await known('c3');
    // 6 decisions at the learned placement, which the Beta sampler fills at
    // random; feedback: every decision viewed, one view sent twice, clicks on
    // tile_a whenever shown and on the first decision whatever it showed.
    const shown: string[] = [];
    const clicked: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const d = await decideAt('c3', 'home', T + i * MINUTE_MS, false);
      const offerId = d.offers[0]!.offerId;
      shown.push(offerId);
      await feedback('c3', 'Offer Viewed', d.decisionId, offerId, T + i * MINUTE_MS + 1_000);
      if (i === 0)
        await feedback('c3', 'Offer Viewed', d.decisionId, offerId, T + i * MINUTE_MS + 2_000);
      if (offerId === 'tile_a' || i === 0) {
        await feedback('c3', 'Offer Clicked', d.decisionId, offerId, T + i * MINUTE_MS + 3_000);
        clicked.push(offerId);
      }
    }
    await t.stack.caughtUp();
    const views = (id: string) => shown.filter((s) => s === id).length;
    const clicks = (id: string) => clicked.filter((s) => s === id).length;
    const expected = (id: string) => ({
      decisions: BigInt(views(id)),
      impressions: BigInt(views(id)),
      clicks: BigInt(clicks(id)),
      // Beta(1, 1) prior: (1 + clicks) / (2 + views).
      estimatedPropensity: (1 + clicks(id)) / (2 + views(id)),
    });
    const stats = async () => {
      const { stats } = await t.stack.decisions.getOfferStats({ placement: 'home' });
      return Object.fromEntries(stats.map((s) => [s.offerId, s]));
    };
    const before = await stats();
    expect(before.tile_a).toMatchObject(expected('tile_a'));
    expect(before.tile_b).toMatchObject(expected('tile_b'));
    const metrics = await (
      await fetch(`http://127.0.0.1:${t.stack.engine.opsPort}/metrics`)
    ).text();
    const line = /^pulse_offer_events\{placement="home",offer="(\w+)",kind="clicks"\} (\S+)$/gm;
    const clickMetrics = Object.fromEntries(
      [...metrics.matchAll(line)].map((m) => [m[1], Number(m[2])]),
    );
    expect(clickMetrics[clicked[0]!]).toBe(clicks(clicked[0]!));
    // The CLI shows the same counters.
    const cli = join(REPO_ROOT, 'services/cli/src/main.ts');
    const engine = `127.0.0.1:${t.stack.engine.grpcPort}`;
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', cli, 'offer-stats', 'home', '--engine', engine, '--json'],
      { cwd: REPO_ROOT },
    );
    const printed = (JSON.parse(stdout) as { stats: { offerId: string; clicks?: string }[] }).stats;
    for (const id of ['tile_a', 'tile_b']) {
      expect(Number(printed.find((s) => s.offerId === id)?.clicks ?? 0)).toBe(clicks(id));
    }
    const learner = structuredClone(t.stack.engine.context.learning.learner);
    for (const id of ['tile_a', 'tile_b']) {
      expect(learner.arms.home?.[id]?.successes ?? 0).toBe(clicks(id));
      expect(learner.arms.home?.[id]?.failures ?? 0).toBe(views(id) - clicks(id));
    }

    // A second engine, own LMDB and consumer, fed the same stream.
    const env2 = { ...t.env, dir: join(t.env.dir, 'replica') };
    const replica = await startStack(env2, {
      PULSE_DEFINITIONS_DIR: DEFINITIONS,
      PULSE_CONSUMER_NAME: 'replica',
    });
    try {
      await replica.caughtUp();
      expect(replica.engine.context.learning.learner).toEqual(learner);
      const { stats: replicaStats } = await replica.decisions.getOfferStats({ placement: 'home' });
      expect(Object.fromEntries(replicaStats.map((s) => [s.offerId, s]))).toEqual(before);
    } finally {
      await replica.stop();
    }

    await t.stack.stop();
    t.stack = await startStack(t.env, { PULSE_DEFINITIONS_DIR: DEFINITIONS });
    await t.stack.caughtUp();
    expect(t.stack.engine.context.learning.learner).toEqual(learner);
    expect(await stats()).toEqual(before);
  });
});
