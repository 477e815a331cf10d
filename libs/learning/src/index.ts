export { createRandom, sampleBeta, sampleGamma } from './random.js';
export type { Random } from './random.js';
export {
  buildContextVector,
  CONTEXT_TRANSFORMS,
  resolveContextFeatures,
} from './context-vector.js';
export type { ContextFeature, ContextTransform, ResolvedContextFeature } from './context-vector.js';
export {
  addEvidence,
  armOf,
  createLearnerState,
  FEEDBACK_OUTCOMES,
  mergeLearnerStates,
} from './learner-state.js';
export type {
  ArmStats,
  ExplorationCounts,
  FeedbackOutcome,
  LearnerState,
} from './learner-state.js';
export { betaEstimate, describeEstimate, FIXED_ESTIMATE, linearEstimate } from './models.js';
export type { BetaPrior, EstimateBasis, PropensityEstimate } from './models.js';
export {
  BUSINESS_LEVERS,
  MAX_TEMPERATURE,
  placementOptions,
  PROPENSITY_MODELS,
  resolveLearningOptions,
} from './learning-options.js';
export type {
  BusinessLever,
  LearningOptions,
  PlacementOptions,
  PropensityModel,
  ResolvedLearningOptions,
  ResolvedPlacementOptions,
} from './learning-options.js';
export { recordFeedback } from './feedback.js';
export type { DecisionRecord, Feedback, FeedbackResult, ShownOffer } from './feedback.js';
export {
  checkContactRules,
  createContactState,
  hasContactRules,
  isAllowed,
  mergeContactStates,
  pruneContactState,
  recordContact,
} from './contact-policy.js';
export type {
  Contact,
  ContactRefusal,
  ContactRule,
  ContactRules,
  ContactState,
  ContactSubject,
  ContactTimes,
  ContactVerdict,
} from './contact-policy.js';
export { holdoutPoint, inHoldout } from './holdout.js';
export type { HoldoutOptions } from './holdout.js';
export { decide, OFFER_VERDICTS, recordDecision } from './decide.js';
export type {
  ChosenOffer,
  ConsideredOffer,
  DecideContext,
  DecideInput,
  Decision,
  OfferVerdict,
  ScoredOffer,
} from './decide.js';
export { isLearnerStateMismatchError, LearnerStateMismatchError } from './errors.js';
