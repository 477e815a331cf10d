import { z } from 'zod';

/**
 * Offer ids and placement names: lower case, starting with a letter, then
 * letters, digits, `_` or `-`.
 */
export const OFFER_ID_PATTERN = /^[a-z][a-z0-9_-]*$/;

const idRule = { error: `must match ${OFFER_ID_PATTERN.source}` };

const isoWithOffset = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 date-time with an offset, e.g. 2011-12-01T00:00:00Z',
});

const audienceFilterSchema = z.strictObject({
  include: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
});

const offerSchema = z.strictObject({
  id: z.string().regex(OFFER_ID_PATTERN, idRule),
  name: z.string().trim().min(1, { error: 'must not be empty' }),
  placements: z.array(z.string().regex(OFFER_ID_PATTERN, idRule)).min(1, {
    error: 'must list at least one placement',
  }),
  group: z.string().regex(OFFER_ID_PATTERN, idRule).optional(),
  eligibility: z.string().optional(),
  audiences: audienceFilterSchema.optional(),
  priority: z.number().positive({ error: 'must be > 0' }).default(1),
  value: z.number().nonnegative({ error: 'must be >= 0' }),
  boost: z.string().optional(),
  start: isoWithOffset.optional(),
  end: isoWithOffset.optional(),
  content: z.record(z.string(), z.json()).default({}),
});

/** The schema of an offer catalogue document. */
export const offerDocumentSchema = z.strictObject({
  offers: z.array(offerSchema),
});

/** One offer as written in a catalogue document. */
export type OfferDefinition = z.input<typeof offerSchema>;

/** An offer catalogue document: `{ offers: [...] }`. */
export type OfferDocument = z.input<typeof offerDocumentSchema>;

/** One offer after shape validation and defaults. */
export type ValidOfferDefinition = z.output<typeof offerSchema>;
