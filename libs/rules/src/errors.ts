/** Where in a rule's source text a problem sits; line and column count from 1. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * A rule expression that cannot be compiled: bad syntax, an unknown variable,
 * function or feature, or a result of the wrong type.
 */
export class RuleError extends Error {
  override readonly name = 'RuleError';

  /** The definition field holding the expression, e.g. `audiences[2].expression`. */
  readonly field: string;

  /** The expression as written. */
  readonly expression: string;

  /** The problem in CEL's words, without the field prefix. */
  readonly reason: string;

  /** Where the problem sits, when CEL or the inspector could tell. */
  readonly position: SourcePosition | undefined;

  constructor(
    field: string,
    expression: string,
    reason: string,
    position?: SourcePosition,
    options?: ErrorOptions,
  ) {
    const at = position === undefined ? '' : ` (at ${position.line}:${position.column})`;
    super(`${field}: ${reason}${at}`, options);
    this.field = field;
    this.expression = expression;
    this.reason = reason;
    this.position = position;
  }
}

/** True when `err` is a {@link RuleError}. */
export function isRuleError(err: unknown): err is RuleError {
  return err instanceof RuleError;
}

/**
 * A compiled rule that failed on one profile: a missing map key, a null
 * compared with a number, a result of the wrong type. Returned, never thrown.
 */
export class RuleEvaluationError extends Error {
  override readonly name = 'RuleEvaluationError';

  /** The name the rule was compiled with (its definition field). */
  readonly rule: string;

  /** Where the failing sub-expression sits, when CEL reported it. */
  readonly position: SourcePosition | undefined;

  constructor(rule: string, reason: string, position?: SourcePosition, options?: ErrorOptions) {
    const at = position === undefined ? '' : ` (at ${position.line}:${position.column})`;
    super(`${rule}: ${reason}${at}`, options);
    this.rule = rule;
    this.position = position;
  }
}

/**
 * A definition document (audiences, offers) that does not have the expected
 * shape or meaning; `field` names the offending value, e.g. `offers[3].end`.
 */
export class DefinitionError extends Error {
  override readonly name: string = 'DefinitionError';

  /** Path of the offending value; empty for problems with the document itself. */
  readonly field: string;

  constructor(field: string, reason: string, options?: ErrorOptions) {
    super(field === '' ? reason : `${field}: ${reason}`, options);
    this.field = field;
  }
}

/** True when `err` is a {@link DefinitionError} (or a subclass). */
export function isDefinitionError(err: unknown): err is DefinitionError {
  return err instanceof DefinitionError;
}
