export { parseAudienceDefinitions } from './parse-audience-definitions.js';
export type { ParseAudienceOptions } from './parse-audience-definitions.js';
export { AudienceSet } from './audience-set.js';
export type { Audience, EvaluateAudiencesOptions } from './audience-set.js';
export { AUDIENCE_ID_PATTERN } from './audience-definition.js';
export type { AudienceDefinition, AudienceDocument } from './audience-definition.js';
export { diffMemberships } from './diff-memberships.js';
export type { MembershipDiff } from './diff-memberships.js';
export { isUnknownAudienceError, UnknownAudienceError } from './errors.js';
