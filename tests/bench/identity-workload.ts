import { toBinary } from '@bufbuild/protobuf';
import { normalizeEvent } from '@pulse/events';
import type { SegmentCall } from '@pulse/events';
import { readUciOnlineRetail } from '@pulse/loaders';
import { EventSchema } from '@pulse/proto';
import type { OrderWorkload } from './order-workload.js';

const MINUTE_MS = 60_000;

/** Encodes Segment calls as the collector would, message ids prefixed by `runId`. */
function encodeCalls(calls: readonly SegmentCall[], runId: string): OrderWorkload {
  const workload: OrderWorkload = {
    payloads: [],
    messageIds: [],
    userIds: [],
    description: '',
    totalBytes: 0,
  };
  const receivedAtMs = Date.now();
  calls.forEach((call, i) => {
    const event = normalizeEvent(call, { source: 'bench', receivedAtMs });
    event.messageId = `${runId}-${i}`;
    const payload = toBinary(EventSchema, event);
    workload.payloads.push(payload);
    workload.messageIds.push(event.messageId);
    workload.userIds.push(String(call.userId ?? ''));
    workload.totalBytes += payload.length;
  });
  return workload;
}

/**
 * The UCI Online Retail file through the real loader, `copies` times with
 * customer and anonymous ids suffixed per copy (distinct people), re-timed
 * into the last 30 days so every window counts them.
 */
export async function buildUciIdentityWorkload(
  csvPath: string,
  copies: number,
  runId: string,
): Promise<OrderWorkload> {
  const calls: SegmentCall[] = [];
  for await (const call of readUciOnlineRetail(csvPath)) calls.push(call);
  const times = calls.map((c) => Date.parse(String(c.timestamp)));
  const shiftMs = Date.now() - MINUTE_MS - Math.max(...times);
  const all: SegmentCall[] = [];
  for (let copy = 0; copy < copies; copy += 1) {
    calls.forEach((call, i) => {
      all.push({
        ...call,
        ...(call.userId ? { userId: `${call.userId}-${copy}` } : {}),
        ...(call.anonymousId ? { anonymousId: `${call.anonymousId}-${copy}` } : {}),
        timestamp: new Date(times[i]! + shiftMs).toISOString(),
      });
    });
  }
  const workload = encodeCalls(all, runId);
  workload.description =
    `the UCI Online Retail file (${calls.length.toLocaleString('en')} calls) x ${copies}, ` +
    `distinct people per copy; orders by user_id, anonymous buyers per invoice`;
  return workload;
}

/**
 * People who browse in three anonymous sessions and then sign in: per person
 * a page view and a product view in session 1, a page view in session 2 and
 * in session 3, an identify linking session 1 (new user: a link), an
 * identify linking session 2 (a merge), an alias of session 3 (a merge) and
 * an order. 8 events and 2 merges per person.
 */
export function buildMergeWorkload(people: number, runId: string): OrderWorkload {
  const startMs = Date.now() - 2 * 86_400_000;
  const calls: SegmentCall[] = [];
  for (let p = 0; p < people; p += 1) {
    const at = (step: number) => new Date(startMs + p * 1_000 + step * 10).toISOString();
    const user = `${runId}-u${p}`;
    const session = (s: number) => `${runId}-s${p}-${s}`;
    calls.push(
      { type: 'page', anonymousId: session(1), name: 'Home', timestamp: at(0) },
      {
        type: 'track',
        event: 'Product Viewed',
        anonymousId: session(1),
        timestamp: at(1),
        properties: { product_id: `P${p % 500}` },
      },
      { type: 'page', anonymousId: session(2), name: 'Home', timestamp: at(2) },
      { type: 'page', anonymousId: session(3), name: 'Cart', timestamp: at(3) },
      {
        type: 'identify',
        userId: user,
        anonymousId: session(1),
        timestamp: at(4),
        traits: { email: `${user}@example.com`, address: { city: 'Leeds' } },
      },
      { type: 'identify', userId: user, anonymousId: session(2), timestamp: at(5) },
      { type: 'alias', previousId: session(3), userId: user, timestamp: at(6) },
      {
        type: 'track',
        event: 'Order Completed',
        userId: user,
        timestamp: at(7),
        properties: { order_id: `${user}-o`, revenue: 20 + (p % 7) },
      },
    );
  }
  const workload = encodeCalls(calls, runId);
  workload.description =
    `${people.toLocaleString('en')} people x 8 events: 3 anonymous sessions, ` +
    `sign-in, 2 merges each (identify, alias), an order`;
  return workload;
}
