export { parseOfferCatalogue } from './parse-offer-catalogue.js';
export type { ParseOfferOptions } from './parse-offer-catalogue.js';
export { OfferCatalogue } from './offer-catalogue.js';
export type { Offer } from './offer-catalogue.js';
export { OFFER_ID_PATTERN } from './offer-definition.js';
export type { OfferDefinition, OfferDocument } from './offer-definition.js';
export { rankOffers } from './rank-offers.js';
export type { RankedOffer, RankOffersInput, RankOffersOptions } from './rank-offers.js';
export { isUnknownAudienceReferenceError, UnknownAudienceReferenceError } from './errors.js';
export { screenOffers } from './screen-offers.js';
export type {
  DroppedOffer,
  EligibleOffer,
  ScreenedOffer,
  ScreenOffersInput,
  ScreenOffersOptions,
} from './screen-offers.js';
export { compareIds } from './offer-catalogue.js';
export { roundScore } from './explain-offer.js';
