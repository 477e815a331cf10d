import { resolve } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { JsonObject, JsonValue, MessageInitShape } from '@bufbuild/protobuf';
import { loadDefinitions } from '@pulse/engine';
import { DecideResponseSchema, OfferVerdict } from '@pulse/proto';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../tests/bench/random.js';
import { encodeDecideResponse } from '../src/api/encode-decide-response.js';

type ResponseInit = MessageInitShape<typeof DecideResponseSchema>;
type OfferInit = NonNullable<ResponseInit['offers']>[number];

const RETAIL = resolve(import.meta.dirname, '../../../deploy/definitions/retail');

/** What protobuf-es writes for the same response: the reference encoding. */
function reflective(response: ResponseInit): Uint8Array {
  return toBinary(DecideResponseSchema, create(DecideResponseSchema, response));
}

function expectSameBytes(response: ResponseInit): Uint8Array {
  const bytes = new Uint8Array(encodeDecideResponse(response));
  expect(bytes).toEqual(reflective(response));
  return bytes;
}

/** A NaN whose payload differs from the one JavaScript arithmetic yields. */
const ODD_NAN = new Float64Array(new Uint32Array([1, 0x7ff00000]).buffer)[0]!;

const NESTED: JsonObject = {
  headline: 'Ünïcödé 😀 \u0000 x\ud800y',
  '': '',
  '10': 'integer-like keys come first',
  empty: {},
  list: [1, 'two', true, false, null, [], [[0]], { deep: { deeper: [-0, 1e308] } }],
  nothing: null,
  zero: 0,
  minusZero: -0,
  huge: Number.MAX_VALUE,
  tiny: 5e-324,
  long: 'x'.repeat(300),
};

function offer(i: number, extra: Partial<OfferInit> = {}): OfferInit {
  return {
    offerId: `offer_${i}`,
    name: `Offer ${i}`,
    score: i * 0.37 + 1 / (i + 1),
    propensity: 1 / (i + 2),
    reasons: i % 2 === 0 ? [`ranked ${i}`] : [],
    content: { headline: `Headline ${i}`, discount_percent: i },
    ...extra,
  };
}

const CASES: [string, ResponseInit][] = [
  ['an empty response (every field at its default)', {}],
  ['a response of defaults given explicitly', { decisionId: '', offers: [], considered: [] }],
  ['one plain offer', { decisionId: 'd-1', profileId: 'p-1', offers: [offer(1)] }],
  ['60 offers with large content', { offers: Array.from({ length: 60 }, (_, i) => offer(i)) }],
  ['flags only', { personalized: true, holdout: true }],
  [
    'bodies past 16 KiB (three-byte lengths, a grown buffer)',
    {
      offers: [
        offer(1, { content: { big: 'é'.repeat(20_000), list: Array(3_000).fill(1.5) } }),
        ...Array.from({ length: 400 }, (_, i) => offer(i, { reasons: ['r'.repeat(200)] })),
      ],
    },
  ],
  [
    'unicode and unpaired surrogates',
    {
      decisionId: 'd-é',
      profileId: '😀\udc00',
      offers: [offer(0, { name: 'ß', reasons: ['', 'ü'] })],
    },
  ],
  [
    'unusual scores',
    {
      offers: [
        offer(1, { score: -0, propensity: Number.NaN }),
        offer(2, { score: Infinity, propensity: -Infinity }),
        offer(3, { score: Number.MAX_VALUE, propensity: 5e-324 }),
        offer(4, { score: 0, propensity: 0 }),
        offer(5, { score: ODD_NAN }),
      ],
    },
  ],
  [
    'empty, nested and null-valued content',
    {
      offers: [
        offer(1, { content: {} }),
        offer(2, { content: NESTED }),
        offer(3, { content: undefined }),
        offer(4, { content: { list: [null, [null]], nested: { a: { b: { c: 'd' } } } } }),
      ],
    },
  ],
  [
    'content values JSON cannot hold',
    { offers: [offer(1, { content: { u: undefined } as never })] },
  ],
  [
    'null init fields, taken as unset',
    { decisionId: null, offers: [{ offerId: null, content: null, reasons: null }] } as never,
  ],
  [
    'an explained decision',
    {
      decisionId: 'd-x',
      offers: [offer(1)],
      considered: [
        { offerId: 'offer_1', verdict: OfferVerdict.CHOSEN, score: 1.5, explanation: 'best' },
        { offerId: 'offer_2', verdict: OfferVerdict.OUTRANKED, score: -0, propensity: 0.2 },
        { offerId: 'offer_3', verdict: OfferVerdict.UNSPECIFIED },
        { offerId: 'offer_4', verdict: -3 as OfferVerdict, explanation: 'negative enum' },
        { offerId: '', verdict: 1_000_000 as OfferVerdict },
        {},
      ],
    },
  ],
];

describe('encodeDecideResponse', () => {
  it.each(CASES)('writes the bytes protobuf-es writes for %s', (_, response) => {
    expectSameBytes(response);
  });

  it.each(CASES)('writes the same bytes for %s given as a created message', (_, response) => {
    expectSameBytes(create(DecideResponseSchema, response));
  });

  it('decodes back to the response it was given', () => {
    const response = create(DecideResponseSchema, {
      decisionId: 'd-1',
      offers: [
        offer(1, { content: { ...NESTED, headline: 'Ünïcödé 😀' }, score: -0 }),
        offer(2, { propensity: Number.NaN }),
      ],
      considered: [{ offerId: 'offer_1', verdict: OfferVerdict.CHOSEN, score: 2 }],
      personalized: true,
    });

    const decoded = fromBinary(DecideResponseSchema, encodeDecideResponse(response));

    expect(decoded).toEqual(response);
    expect(Object.is(decoded.offers[0]!.score, -0)).toBe(true);
  });

  it('keeps the unknown fields of a decoded message, as toBinary does', () => {
    const known = reflective({ decisionId: 'd-1', offers: [offer(1)] });
    const unknownField = [0xa0, 0x06, 0x2a]; // field 100, varint 42
    const bytes = new Uint8Array([...known, ...unknownField]);
    const decoded = fromBinary(DecideResponseSchema, bytes);

    expect(new Uint8Array(encodeDecideResponse(decoded))).toEqual(bytes);
  });

  it('raises the reflective error for a verdict outside int32', () => {
    const response = { considered: [{ verdict: 1.5 as OfferVerdict }] };

    expect(() => encodeDecideResponse(response)).toThrow(/verdict/);
  });
});

describe('encodeDecideResponse content reuse', () => {
  it('encodes a frozen content once and reuses its bytes', () => {
    const content = Object.freeze({ headline: 'Frozen', nested: Object.freeze({ a: 1 }) });
    const first = expectSameBytes({ offers: [offer(1, { content })] });
    const second = expectSameBytes({ offers: [offer(1, { content })] });

    expect(second).toEqual(first);
  });

  it('sees a change to content that is not frozen', () => {
    const content: JsonObject = { headline: 'before' };
    expectSameBytes({ offers: [offer(1, { content })] });
    content.headline = 'after';
    content.added = [1, 2];

    const bytes = expectSameBytes({ offers: [offer(1, { content })] });
    expect(fromBinary(DecideResponseSchema, bytes).offers[0]!.content).toEqual(content);
  });

  it('sees a change deep inside content frozen only at the top', () => {
    const inner: JsonObject = { code: 'A' };
    const content = Object.freeze({ inner });
    expectSameBytes({ offers: [offer(1, { content })] });
    inner.code = 'B';

    const bytes = expectSameBytes({ offers: [offer(1, { content })] });
    expect(fromBinary(DecideResponseSchema, bytes).offers[0]!.content).toEqual({ inner });
  });

  it('does not keep content whose frozen getter may answer differently', () => {
    let calls = 0;
    const content = Object.freeze(
      Object.defineProperty({}, 'calls', { enumerable: true, get: () => ++calls }),
    ) as JsonObject;
    const contentOf = (bytes: Buffer) => fromBinary(DecideResponseSchema, bytes).offers[0]!.content;

    const first = contentOf(encodeDecideResponse({ offers: [offer(1, { content })] }));
    const second = contentOf(encodeDecideResponse({ offers: [offer(1, { content })] }));

    expect([first, second]).toEqual([{ calls: 1 }, { calls: 2 }]);
  });
});

describe('encodeDecideResponse on generated responses', () => {
  it('matches toBinary on 300 seeded random responses', () => {
    const gen = { random: createRandom(20_261_204), alphabet: WITH_SURROGATES };
    for (let i = 0; i < 300; i++) {
      const response = randomResponse(gen);
      expectSameBytes(response);
      expectSameBytes(create(DecideResponseSchema, response));
    }
  });

  it('decodes 100 seeded random responses back to what they were', () => {
    const gen = { random: createRandom(4_051), alphabet: WELL_FORMED };
    for (let i = 0; i < 100; i++) {
      const response = randomResponse(gen);
      const decoded = fromBinary(DecideResponseSchema, encodeDecideResponse(response));
      expect(decoded).toEqual(create(DecideResponseSchema, response));
    }
  });

  it('matches toBinary on responses over the retail catalogue, first and cached', () => {
    const { offers } = loadDefinitions(RETAIL);
    for (const placement of offers.placements) {
      const chosen = offers
        .forPlacement(placement)
        .map((o, i) => offer(i, { offerId: o.id, name: o.name, content: o.content }));
      expect(Object.isFrozen(chosen[0]?.content)).toBe(true);
      const response: ResponseInit = { decisionId: `d-${placement}`, offers: chosen };
      expectSameBytes(response);
      expectSameBytes(response);
    }
  });
});

/** A seeded source and the characters its strings are made of. */
interface Gen {
  random: () => number;
  alphabet: readonly string[];
}

const WELL_FORMED = ['a', 'Z', '0', ' ', 'é', 'ß', '😀', '\n', '\u0000', '語'];
const WITH_SURROGATES = [...WELL_FORMED, '\ud800', '\udfff'];
const NUMBERS = [0, -0, 1, -1, 0.5, Number.NaN, Infinity, -Infinity, 1e308, 5e-324, 2 ** 53];

function randomString(gen: Gen, maxLength: number): string {
  const length = Math.floor(gen.random() * (maxLength + 1));
  let text = '';
  for (let i = 0; i < length; i++)
    text += gen.alphabet[Math.floor(gen.random() * gen.alphabet.length)];
  return text;
}

function randomNumber(gen: Gen): number {
  return gen.random() < 0.5
    ? NUMBERS[Math.floor(gen.random() * NUMBERS.length)]!
    : gen.random() * 1e6 - 5e5;
}

function randomJson(gen: Gen, depth: number): JsonValue {
  const pick = gen.random();
  if (depth <= 0 || pick < 0.5) {
    if (pick < 0.1) return null;
    if (pick < 0.2) return gen.random() < 0.5;
    if (pick < 0.35) return randomNumber(gen);
    return randomString(gen, 40);
  }
  const size = Math.floor(gen.random() * 5);
  if (pick < 0.75) return Array.from({ length: size }, () => randomJson(gen, depth - 1));
  return randomObject(gen, depth - 1, size);
}

function randomObject(gen: Gen, depth: number, size: number): JsonObject {
  const object: JsonObject = {};
  for (let i = 0; i < size; i++) object[randomString(gen, 8)] = randomJson(gen, depth);
  return object;
}

function randomResponse(gen: Gen): ResponseInit {
  const offers = Array.from({ length: Math.floor(gen.random() * 12) }, () => ({
    offerId: randomString(gen, 12),
    name: randomString(gen, 20),
    score: randomNumber(gen),
    propensity: randomNumber(gen),
    reasons: Array.from({ length: Math.floor(gen.random() * 3) }, () => randomString(gen, 30)),
    content: gen.random() < 0.2 ? undefined : randomObject(gen, 3, Math.floor(gen.random() * 6)),
  }));
  const explain = gen.random() < 0.5;
  const considered = Array.from({ length: explain ? Math.floor(gen.random() * 8) : 0 }, () => ({
    offerId: randomString(gen, 12),
    verdict: Math.floor(gen.random() * 9) as OfferVerdict,
    score: randomNumber(gen),
    propensity: randomNumber(gen),
    explanation: randomString(gen, 60),
  }));
  const personalized = gen.random() < 0.5;
  const holdout = gen.random() < 0.2;
  return {
    decisionId: randomString(gen, 36),
    profileId: randomString(gen, 20),
    offers,
    personalized,
    considered,
    holdout,
  };
}
