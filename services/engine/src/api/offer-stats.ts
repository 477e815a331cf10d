import type { MessageInitShape } from '@bufbuild/protobuf';
import type { OfferStatsSchema } from '@pulse/proto';
import type { EngineContext } from '../context.js';

/**
 * Counters per placement and offer, with the learned propensity's mean
 * under the Beta prior: (prior successes + successes) / (prior trials +
 * trials). Every offer of the catalogue appears, at zero when unseen.
 */
export function offerStats(
  ctx: EngineContext,
  placement: string,
): MessageInitShape<typeof OfferStatsSchema>[] {
  const defs = ctx.definitions();
  const { learning } = defs.decisions;
  const placements = placement ? [placement] : [...defs.offers.placements];
  return placements.flatMap((name) =>
    defs.offers.forPlacement(name).map((offer) => {
      const counts = ctx.learning.stats[name]?.[offer.id];
      const arm = ctx.learning.learner.arms[name]?.[offer.id];
      const prior = learning.priors[offer.id] ?? learning.prior;
      const successes = prior.successes + (arm?.successes ?? 0);
      const trials = successes + prior.failures + (arm?.failures ?? 0);
      return {
        placement: name,
        offerId: offer.id,
        decisions: BigInt(counts?.decisions ?? 0),
        impressions: BigInt(counts?.impressions ?? 0),
        clicks: BigInt(counts?.clicks ?? 0),
        conversions: BigInt(counts?.conversions ?? 0),
        value: counts?.value ?? 0,
        estimatedPropensity: successes / trials,
      };
    }),
  );
}
