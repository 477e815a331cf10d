export { compileRule, MAX_EXPRESSION_LENGTH } from './compile-rule.js';
export type {
  BoolRule,
  CompiledRule,
  CompileRuleOptions,
  DoubleRule,
  RuleKind,
  RuleResult,
} from './compile-rule.js';
export type { FeatureType, FieldTypes } from './check-types.js';
export { createActivation } from './activation.js';
export type { RuleActivation } from './activation.js';
export type { DecisionContext, FeatureReading, ProfileView } from './profile-view.js';
export { ruleReads } from './rule-reads.js';
export type { KeysRead, RuleReads } from './rule-reads.js';
export { ALL_RULE_VARIABLES, PROFILE_RULE_VARIABLES, RULE_VARIABLES } from './rule-variables.js';
export type { RuleVariable } from './rule-variables.js';
export { DURATION_HELPERS } from './cel-env.js';
export {
  formatFieldPath,
  loadDefinitionSource,
  parseDefinitionSource,
} from './definition-source.js';
export {
  DefinitionError,
  isDefinitionError,
  isRuleError,
  RuleError,
  RuleEvaluationError,
} from './errors.js';
export type { SourcePosition } from './errors.js';
