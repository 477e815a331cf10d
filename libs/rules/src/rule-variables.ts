/**
 * The top-level names a rule may use, and the CEL type each has. Numbers are
 * always doubles (see README), so `now` is epoch ms as a double.
 */
export const RULE_VARIABLES = {
  traits: 'map(string, dyn)',
  features: 'map(string, dyn)',
  identifiers: 'map(string, list(string))',
  now: 'double',
  profile_id: 'string',
  request: 'map(string, dyn)',
  placement: 'string',
} as const;

/** One of the names in {@link RULE_VARIABLES}. */
export type RuleVariable = keyof typeof RULE_VARIABLES;

/** Every rule variable. */
export const ALL_RULE_VARIABLES = Object.keys(RULE_VARIABLES) as readonly RuleVariable[];

/** The variables that describe the profile alone; audience rules see only these. */
export const PROFILE_RULE_VARIABLES: readonly RuleVariable[] = [
  'traits',
  'features',
  'identifiers',
  'now',
  'profile_id',
];

/** Variables that hold a scalar, so `x.field` on them is always a mistake. */
export const SCALAR_RULE_VARIABLES: ReadonlySet<string> = new Set([
  'now',
  'profile_id',
  'placement',
]);
