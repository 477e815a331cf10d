import { randomUUID } from 'node:crypto';
import { emptyStates } from '@pulse/features';
import { InvalidArgumentError } from '@pulse/grpc';
import type { ServiceHandlers } from '@pulse/grpc';
import { rankOffers } from '@pulse/offers';
import type { DecisionService } from '@pulse/proto';
import { emptyProfile } from '@pulse/store';
import type { EngineContext } from '../context.js';
import { findProfileByAny } from '../profile/find-profile.js';
import { profileView } from '../profile/profile-view.js';
import { instantOf, normalizedIdentifier, requireString } from './request-fields.js';

/** Most offers one Decide may return. */
export const DECIDE_LIMIT_MAX = 50;

/**
 * DecisionService.Decide: resolves the visitor, reads their features and
 * audiences at the instant of the call, and ranks the placement's offers.
 * An unknown visitor, or one whose consent withholds personalization, is
 * decided as an empty profile.
 */
export function decisionHandlers(ctx: EngineContext): ServiceHandlers<typeof DecisionService> {
  return {
    async decide(request) {
      const placement = requireString(request.placement, 'placement');
      const limit = request.limit === 0 ? 1 : request.limit;
      if (limit > DECIDE_LIMIT_MAX) {
        throw new InvalidArgumentError('limit', `must be at most ${DECIDE_LIMIT_MAX}`);
      }
      const identifiers = request.identifiers.map((identifier, i) =>
        normalizedIdentifier(identifier, `identifiers[${i}]`),
      );
      const nowMs = instantOf(request.asOf, ctx.clock);
      const defs = ctx.definitions();

      const found = findProfileByAny(ctx.store, identifiers, defs.identity);
      // Without consent the visitor is decided as an unknown one: no trait,
      // feature, identifier or audience of theirs is read.
      const personalized = !found || defs.identity.allowsPersonalization(found.traits);
      const anonymous = { ...emptyProfile('', nowMs), features: emptyStates() };
      const profile = found && personalized ? found : anonymous;
      const view = profileView(profile, defs, nowMs);
      const audiences = new Set(defs.audiences.evaluate(view));
      const offers = rankOffers(defs.offers, {
        placement,
        view,
        audiences,
        request: request.context ?? {},
        nowMs,
        limit,
      });
      return { decisionId: randomUUID(), profileId: found?.id ?? '', offers, personalized };
    },
  };
}
