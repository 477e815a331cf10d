/**
 * A seeded, merge-heavy stream of Segment calls with the figures it must
 * produce, shared by the tests that kill engines part-way.
 */
import type { SegmentCall } from '@pulse/events';
import { createRandom } from '../bench/random.js';

const PEOPLE = 450;
const SEED = 0x5eed;
const HOUR_MS = 3_600_000;
/** Events spread over five hours, ending an hour ago (wall-clock windows count them all). */
export const BASE_MS = Date.now() - 6 * HOUR_MS;
/** An instant after every event, to read features at. */
export const READ_AT_MS = BASE_MS + 6 * HOUR_MS;
const CATEGORIES = ['LANTERN', 'HOLDER', 'BAG', 'MUG'];
const COUNTRIES = ['United Kingdom', 'France', 'Germany'];

export interface GeneratedStream {
  calls: SegmentCall[];
  revenue: number;
  orders: number;
  users: Set<string>;
}

/**
 * People browse anonymously on one to three devices, most sign in on each
 * (linking the devices), some alias a device or give an email on a second
 * one, and some share a device with the previous person (a conflict).
 */
export function generateStream(prefix = 'crash'): GeneratedStream {
  const next = createRandom(SEED);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const stream: GeneratedStream = { calls: [], revenue: 0, orders: 0, users: new Set() };
  const timed: { ms: number; call: SegmentCall }[] = [];
  let counter = 0;
  const add = (ms: number, call: Record<string, unknown>) => {
    const timestamp = new Date(ms).toISOString();
    timed.push({
      ms,
      call: { ...call, messageId: `${prefix}-${counter++}`, timestamp } as SegmentCall,
    });
  };
  const order = (ms: number, who: Record<string, string>) => {
    const revenue = 1 + Math.floor(next() * 200);
    const product = { product_id: `P${Math.floor(next() * 40)}`, category: pick(CATEGORIES) };
    const properties = {
      order_id: `o${counter}`,
      revenue,
      products: [{ ...product, price: revenue, quantity: 1 }],
    };
    add(ms, { type: 'track', event: 'Order Completed', ...who, properties });
    stream.revenue += revenue;
    stream.orders += 1;
  };

  for (let p = 0; p < PEOPLE; p++) {
    const userId = p % 5 === 4 ? undefined : `u${p}`;
    const devices = Array.from({ length: 1 + Math.floor(next() * 3) }, (_, k) => `d${p}-${k}`);
    if (p > 0 && next() < 0.08) devices.push(`d${p - 1}-0`);
    let ms = BASE_MS + next() * 4 * HOUR_MS;
    const step = () => (ms += 1_000 + Math.floor(next() * 120_000));
    devices.forEach((anonymousId, k) => {
      for (let v = Math.floor(next() * 4); v > 0; v--) {
        add(step(), { type: 'page', anonymousId, name: pick(['Home', 'Search', 'Product']) });
      }
      if (next() < 0.3) order(step(), { anonymousId });
      const traits = { plan: pick(['free', 'gold']), country: pick(COUNTRIES) };
      if (!userId) {
        add(step(), {
          type: 'identify',
          anonymousId,
          traits: { ...traits, email: `p${p}@example.com` },
        });
      } else if (k > 0 && next() < 0.25) {
        add(step(), { type: 'alias', userId, previousId: anonymousId });
      } else {
        add(step(), { type: 'identify', userId, anonymousId, traits });
        stream.users.add(userId);
      }
      if (next() < 0.6) order(step(), userId ? { userId, anonymousId } : { anonymousId });
    });
  }
  stream.calls = timed.sort((a, b) => a.ms - b.ms).map((t) => t.call);
  return stream;
}
