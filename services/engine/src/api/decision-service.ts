import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { emptyStates } from '@pulse/features';
import { InvalidArgumentError } from '@pulse/grpc';
import type { ResponseSerializers, ServiceHandlers } from '@pulse/grpc';
import { decide } from '@pulse/learning';
import type { ContactState, Decision } from '@pulse/learning';
import { screenOffers } from '@pulse/offers';
import type { DecisionService } from '@pulse/proto';
import { emptyProfile } from '@pulse/store';
import type { EngineContext } from '../context.js';
import { OFFER_VERDICT_CODES, toDecisionLogged } from '../decision/decision-log.js';
import { findProfileByAny } from '../profile/find-profile.js';
import { profileView } from '../profile/profile-view.js';
import { encodeDecideResponse } from './encode-decide-response.js';
import { offerStats } from './offer-stats.js';
import { instantOf, normalizedIdentifier, requireString } from './request-fields.js';

/** Most offers one Decide may return. */
export const DECIDE_LIMIT_MAX = 50;

/**
 * DecisionService's hand-written response encoders, for `bindService`: a
 * Decide response costs a fraction of what the reflective codec spends on it.
 */
export const DECISION_RESPONSE_SERIALIZERS: ResponseSerializers<typeof DecisionService> = {
  decide: encodeDecideResponse,
};

/**
 * DecisionService. Decide resolves the visitor, reads their features and
 * audiences at the instant of the call, screens the placement's offers,
 * holds back those the contact policy refuses, and ranks the rest by
 * learned propensity × value × lever (libs/learning). An unknown visitor,
 * or one whose consent withholds personalization, is decided as an empty
 * profile. Every decision goes onto the raw stream, where every engine
 * learns from it and its feedback.
 */
export function decisionHandlers(ctx: EngineContext): ServiceHandlers<typeof DecisionService> {
  return {
    async decide(request) {
      const started = performance.now();
      const placement = requireString(request.placement, 'placement');
      const defs = ctx.definitions();
      if (!defs.offers.placements.includes(placement)) {
        const known = defs.offers.placements.join(', ');
        throw new InvalidArgumentError(
          'placement',
          `is not a placement of the catalogue (${known})`,
        );
      }
      const limit = request.limit === 0 ? 1 : request.limit;
      if (limit > DECIDE_LIMIT_MAX) {
        throw new InvalidArgumentError('limit', `must be at most ${DECIDE_LIMIT_MAX}`);
      }
      const identifiers = request.identifiers.map((identifier, i) =>
        normalizedIdentifier(identifier, `identifiers[${i}]`),
      );
      const nowMs = instantOf(request.asOf, ctx.clock);

      const found = findProfileByAny(ctx.store, identifiers, defs.identity);
      // Without consent the visitor is decided as an unknown one: no trait,
      // feature, identifier, audience or contact history of theirs is read.
      const personalized = !found || defs.identity.allowsPersonalization(found.traits);
      const anonymous = { ...emptyProfile('', nowMs), features: emptyStates() };
      const profile = found && personalized ? found : anonymous;
      const view = profileView(profile, defs, nowMs);
      // Screening reads only the audiences the placement's offers name.
      const named = defs.offers.audiencesOf(placement);
      const audiences = new Set(defs.audiences.evaluateSome(named, view));
      const screened = screenOffers(defs.offers, {
        placement,
        view,
        audiences,
        request: request.context ?? {},
        nowMs,
      });
      const profileId = found?.id ?? '';
      const stored = found
        ? (ctx.store.contacts.get(found.id) as ContactState | undefined)
        : undefined;
      const contact = ctx.learning.pending.withPending(profileId, stored);
      const decisionId = randomUUID();
      const decision = decide(
        {
          decisionId,
          profileId,
          placement,
          atMs: nowMs,
          screened,
          features: personalized ? view.features : {},
          contact,
          contactRules: defs.decisions.contact,
          limit,
          explain: request.explain,
        },
        {
          learner: ctx.learning.learner,
          options: defs.decisions.learning,
          random: ctx.learning.random,
        },
      );
      // Logged first: a decision that cannot be logged is refused and leaves no impressions.
      ctx.decisions?.publish(toDecisionLogged(decision, profileId, nowMs, personalized));
      ctx.learning.pending.add(
        profileId,
        decisionId,
        decision.offers.map((o) => ({
          kind: 'impression' as const,
          offerId: o.offerId,
          group: o.group,
          atMs: nowMs,
        })),
      );
      const offers = decision.offers.map((o) => ({
        offerId: o.offerId,
        name: o.name,
        score: o.score,
        propensity: o.propensity,
        content: o.content,
        reasons: reasonsOf(decision, o.offerId),
      }));
      ctx.decisionMetrics?.observeDecision(placement, (performance.now() - started) / 1_000);
      return {
        decisionId,
        profileId,
        offers,
        personalized,
        holdout: decision.holdout,
        considered: request.explain
          ? decision.considered.map((c) => ({
              offerId: c.offerId,
              verdict: OFFER_VERDICT_CODES[c.verdict],
              score: c.score ?? 0,
              explanation: c.explanation ?? '',
            }))
          : [],
      };
    },

    async getOfferStats(request) {
      return { stats: offerStats(ctx, request.placement) };
    },
  };
}

/** The words for a chosen offer, when the decision was asked to explain. */
function reasonsOf(decision: Decision, offerId: string): string[] {
  const explanation = decision.considered.find((c) => c.offerId === offerId)?.explanation;
  return explanation ? [explanation] : [];
}
