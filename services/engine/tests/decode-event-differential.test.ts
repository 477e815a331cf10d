import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { JsonObject, JsonValue, MessageInitShape } from '@bufbuild/protobuf';
import { normalizeEvent } from '@pulse/events';
import { readRees46, readRetailRocket, readUciOnlineRetail } from '@pulse/loaders';
import { EventSchema } from '@pulse/proto';
import { describe, expect, it } from 'vitest';
import { buildOrderWorkload } from '../../../tests/bench/order-workload.js';
import { createRandom } from '../../../tests/bench/random.js';
import type { Random } from '../../../tests/bench/random.js';
import { UCI_FILE } from '../../../tests/harness/index.js';
import { decodeEventFast } from '../src/ingest/decode-event.js';
import { expectSameAsFromBinary } from './decode-event-expect.js';

// decodeEvent against fromBinary over real and generated messages: each one
// must be read by the fast path and give exactly what fromBinary gives, and
// damaged copies must give the same result or the same error.

type EventInit = MessageInitShape<typeof EventSchema>;

const RECEIVED_AT_MS = 1_764_700_000_000;

function expectFastAndSame(data: Uint8Array): void {
  const fast = decodeEventFast(data);
  expect(fast).toBeDefined();
  expect(fast).toStrictEqual(fromBinary(EventSchema, data));
}

const encode = (call: unknown, source: string) =>
  toBinary(EventSchema, normalizeEvent(call, { source, receivedAtMs: RECEIVED_AT_MS }));

/** Loader output from a few rows of our own, written to a temp file. */
async function loaded(
  header: string,
  rows: string[],
  read: (path: string) => AsyncIterable<{ call: unknown }>,
) {
  const dir = await mkdtemp(join(tmpdir(), 'pulse-decode-'));
  try {
    const file = join(dir, 'input.csv');
    await writeFile(file, `${[header, ...rows].join('\n')}\n`);
    const calls: unknown[] = [];
    for await (const record of read(file)) calls.push(record.call);
    return calls;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const STRINGS = ['', 'a', 'Order Completed', 'é', '😀', '日本語', 'x'.repeat(300), '\u0000', '€5'];

function randomText(random: Random): string {
  if (random() < 0.6) return STRINGS[Math.floor(random() * STRINGS.length)]!;
  const codes = Array.from({ length: Math.floor(random() * 12) }, () =>
    random() < 0.7 ? 32 + Math.floor(random() * 95) : 0x80 + Math.floor(random() * 0x10ff00),
  );
  // Lone surrogates cannot be encoded as UTF-8; skip them.
  return String.fromCodePoint(...codes.filter((c) => c < 0xd800 || c > 0xdfff));
}

function randomNumber(random: Random): number {
  const odd = [0, -0, NaN, Infinity, -Infinity, 2 ** 53, -1e-300, 0.1 + 0.2];
  return random() < 0.3 ? odd[Math.floor(random() * odd.length)]! : (random() - 0.5) * 1e6;
}

function randomJson(random: Random, depth: number): JsonValue {
  const pick = Math.floor(random() * (depth > 3 ? 4 : 6));
  if (pick === 0) return null;
  if (pick === 1) return randomNumber(random);
  if (pick === 2) return randomText(random);
  if (pick === 3) return random() < 0.5;
  if (pick === 4)
    return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth + 1));
  return randomObject(random, depth + 1);
}

function randomObject(random: Random, depth: number): JsonObject {
  const object: JsonObject = {};
  const size = Math.floor(random() * 5);
  for (let i = 0; i < size; i++) object[randomText(random)] = randomJson(random, depth);
  return object;
}

function randomEvent(random: Random): EventInit {
  const maybe = <T>(make: () => T): T | undefined => (random() < 0.5 ? make() : undefined);
  const text = () => randomText(random);
  const seconds = BigInt(Math.floor((random() - 0.2) * 3e11));
  return {
    messageId: text(),
    type: Math.floor(random() * 7),
    event: text(),
    name: text(),
    timestamp: maybe(() => ({ seconds, nanos: Math.floor(random() * 1e9) })),
    receivedAt: maybe(() => ({ seconds: BigInt(Math.floor(random() * 2 ** 40)) })),
    source: text(),
    identifiers: Array.from({ length: Math.floor(random() * 3) }, () => ({
      type: text(),
      value: text(),
    })),
    previousId: text(),
    groupId: text(),
    traits: maybe(() => randomObject(random, 1)),
    properties: maybe(() => randomObject(random, 1)),
    context: maybe(() => ({
      ip: text(),
      userAgent: text(),
      page: maybe(() => ({ url: text(), title: text() })),
      campaign: maybe(() => ({ name: text(), term: text() })),
      extra: maybe(() => randomObject(random, 2)),
    })),
    commerce: maybe(() => ({
      orderId: text(),
      revenue: randomNumber(random),
      products: Array.from({ length: Math.floor(random() * 3) }, () => ({
        productId: text(),
        price: randomNumber(random),
        quantity: randomNumber(random),
      })),
    })),
    profileId: text(),
  };
}

/** Seeded random messages; every fourth is two encodings back to back, which protobuf merges. */
function randomMessages(count: number, seed: number): Uint8Array[] {
  const random = createRandom(seed);
  const one = () => toBinary(EventSchema, create(EventSchema, randomEvent(random)));
  return Array.from({ length: count }, (_, i) =>
    i % 4 === 3 ? Uint8Array.from([...one(), ...one()]) : one(),
  );
}

/** Truncated, bit-flipped and byte-inserted copies of `data`. */
function damaged(data: Uint8Array, random: Random): Uint8Array[] {
  const copies: Uint8Array[] = [];
  for (let i = 0; i < 12; i++) {
    const at = Math.floor(random() * data.length);
    copies.push(data.subarray(0, at));
    const flipped = Uint8Array.from(data);
    flipped[at] = flipped[at]! ^ (1 << Math.floor(random() * 8));
    copies.push(flipped);
    const byte = Math.floor(random() * 256);
    copies.push(Uint8Array.from([...data.subarray(0, at), byte, ...data.subarray(at)]));
  }
  return copies;
}

describe('decodeEvent against fromBinary', () => {
  it('reads every event of the UCI order workload on the fast path', () => {
    const workload = buildOrderWorkload(UCI_FILE, { events: 8_192, runId: 'decode' });
    for (const payload of workload.payloads) expectFastAndSame(payload);
  });

  it('reads every invoice the UCI loader gives on the fast path', async () => {
    let count = 0;
    for await (const call of readUciOnlineRetail(UCI_FILE)) {
      expectFastAndSame(encode(call, 'uci'));
      count++;
    }
    expect(count).toBeGreaterThan(1_000);
  });

  it('reads what the REES46 and RetailRocket loaders give on the fast path', async () => {
    const rees = await loaded(
      'event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session',
      [
        '2019-11-02 10:00:00 UTC,view,100,2053013555631882655,kids.toys,lego,19.99,7001,s-1',
        '2019-11-02 10:00:07 UTC,cart,100,2053013555631882655,,,19.99,7001,s-1',
        '2019-11-02 10:02:00 UTC,purchase,100,2053013555631882655,kids.toys,lego,19.99,7001,',
      ],
      readRees46,
    );
    const rocket = await loaded(
      'timestamp,visitorid,event,itemid,transactionid',
      [
        '1433221332117,41,view,900,',
        '1433221339000,41,addtocart,900,',
        '1433221400000,41,transaction,900,77',
      ],
      readRetailRocket,
    );
    expect(rees.length + rocket.length).toBe(6);
    for (const call of [...rees, ...rocket]) expectFastAndSame(encode(call, 'loader'));
  });

  it('reads seeded random events on the fast path', () => {
    for (const data of randomMessages(2_000, 7)) expectFastAndSame(data);
  });

  it('gives the same result or the same error for damaged messages', () => {
    const random = createRandom(11);
    const workload = buildOrderWorkload(UCI_FILE, { events: 40, runId: 'damaged' });
    const sources = [...workload.payloads, ...randomMessages(200, 13)];
    let thrown = 0;
    for (const data of sources) {
      for (const copy of damaged(data, random)) {
        if (!expectSameAsFromBinary(copy)) thrown++;
      }
    }
    expect(thrown).toBeGreaterThan(100);
  });
});
