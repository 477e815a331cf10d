import { parseOfferCatalogue, screenOffers } from '@pulse/offers';
import type { OfferCatalogue } from '@pulse/offers';
import type { FeatureReading } from '@pulse/rules';
import { createContactState, createLearnerState, createRandom, decide } from '@pulse/learning';
import type {
  ContactRules,
  ContactState,
  Decision,
  LearnerState,
  LearningOptions,
} from '@pulse/learning';
import { resolveLearningOptions } from '@pulse/learning';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** 2026-12-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 11, 1);

/**
 * Fixed scores (priority × value × (1 + boost)) by hand: lantern 2 × 15 = 30,
 * candles 1 × 20 = 20, xmas 1 × 12 = 12, easter 1 × 12 = 12 (out of
 * schedule in December), gift_wrap 1 × 5 = 5, vip needs spend_30d >= 100.
 */
export const CATALOGUE = parseOfferCatalogue({
  offers: [
    { id: 'lantern', name: 'Lanterns', placements: ['homepage'], priority: 2, value: 15 },
    { id: 'candles', name: 'Candles', placements: ['homepage'], group: 'seasonal', value: 20 },
    { id: 'xmas', name: 'Christmas', placements: ['homepage'], group: 'seasonal', value: 12 },
    {
      id: 'easter',
      name: 'Easter',
      placements: ['homepage'],
      group: 'seasonal',
      value: 12,
      start: '2027-03-01T00:00:00Z',
      end: '2027-04-15T00:00:00Z',
    },
    { id: 'gift_wrap', name: 'Gift wrap', placements: ['homepage'], value: 5 },
    {
      id: 'vip',
      name: 'VIP',
      placements: ['homepage'],
      eligibility: 'features.spend_30d >= 100.0',
      value: 50,
    },
  ],
});

/** A small decision harness: one profile, fixed scores unless told otherwise. */
export interface Harness {
  learner: LearnerState;
  contact: ContactState;
  decideAt(atMs: number, overrides?: { profileId?: string; limit?: number }): Decision;
}

export function harness(
  options: LearningOptions = { defaultPlacement: { model: 'fixed', limit: 1 } },
  contactRules: ContactRules = {},
  catalogue: OfferCatalogue = CATALOGUE,
  features: Record<string, FeatureReading> = { spend_30d: 20 },
): Harness {
  const resolved = resolveLearningOptions(options);
  const learner = createLearnerState(resolved.contextIds);
  const contact = createContactState();
  const random = createRandom(1);
  let n = 0;
  return {
    learner,
    contact,
    decideAt(atMs, overrides = {}) {
      const profileId = overrides.profileId ?? 'p1';
      const view = { profileId, traits: {}, features, identifiers: {}, nowMs: atMs };
      const screened = screenOffers(catalogue, {
        placement: 'homepage',
        view,
        audiences: new Set(),
        nowMs: atMs,
      });
      const input = {
        decisionId: `d${++n}`,
        profileId,
        placement: 'homepage',
        atMs,
        screened,
        features,
        contact,
        contactRules,
        explain: true,
        ...(overrides.limit === undefined ? {} : { limit: overrides.limit }),
      };
      return decide(input, { learner, options: resolved, random });
    },
  };
}

/** The verdict of every offer considered, by offer id. */
export function verdicts(decision: Decision): Record<string, string> {
  return Object.fromEntries(decision.considered.map((c) => [c.offerId, c.verdict]));
}

/** The explanation of one offer considered. */
export function explanation(decision: Decision, offerId: string): string | undefined {
  return decision.considered.find((c) => c.offerId === offerId)?.explanation;
}
