import { join } from 'node:path';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/index.js';
import { sendCalls, useStack } from '../harness/stack.js';

const DEFINITIONS = join(REPO_ROOT, 'tests/e2e/fixtures/offer-shop');
const T = Date.now() - 600_000;
const DECISIONS = 40;
const iso = (ms: number) => new Date(ms).toISOString();

// Decide answers before its DECISION event is stored (a core publish), so a
// storefront may report a view right after the answer. The view must not
// reach the stream ahead of its decision, or it counts for an unknown one;
// this holds the engine busy with a backlog while that happens.
describe('feedback sent as soon as Decide answers', () => {
  const t = useStack({ PULSE_DEFINITIONS_DIR: DEFINITIONS });

  /** Orders from other customers, sent in batches so the engine has work queued. */
  async function backlog(batches: number): Promise<void> {
    for (let b = 0; b < batches; b += 1) {
      const calls = Array.from({ length: 100 }, (_, i) => ({
        type: 'track',
        event: 'Order Completed',
        userId: `busy-${(b * 100 + i) % 700}`,
        messageId: `busy-${b}-${i}`,
        timestamp: iso(T + b * 1_000 + i),
        properties: { revenue: 10 + i, products: [{ product_id: `p${i % 30}`, price: 5 }] },
      }));
      await sendCalls(t.stack.nc, calls);
    }
  }

  it('counts every view sent right after its decision, while the engine works off a backlog', async () => {
    await sendCalls(t.stack.nc, [
      { type: 'identify', userId: 'fast', messageId: 'id-fast', timestamp: iso(T) },
    ]);
    await t.stack.caughtUp();

    const flood = backlog(40);
    for (let i = 0; i < DECISIONS; i += 1) {
      const at = T + 60_000 + i * 1_000;
      const d = await t.stack.decisions.decide({
        placement: 'home',
        identifiers: [{ type: 'user_id', value: 'fast' }],
        asOf: timestampFromMs(at),
      });
      const report = await sendCalls(t.stack.nc, [
        {
          type: 'track',
          event: 'Offer Viewed',
          userId: 'fast',
          messageId: `view-${d.decisionId}`,
          timestamp: iso(at + 500),
          properties: { decision_id: d.decisionId, offer_id: d.offers[0]!.offerId },
        },
      ]);
      expect(report.accepted).toBe(1);
    }
    await flood;
    await t.stack.caughtUp();

    const { stats } = await t.stack.decisions.getOfferStats({ placement: 'home' });
    const total = (field: 'decisions' | 'impressions') =>
      stats.reduce((sum, s) => sum + Number(s[field]), 0);
    expect(total('decisions')).toBe(DECISIONS);
    expect(total('impressions')).toBe(DECISIONS);
  });
});
