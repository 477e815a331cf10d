import { isCelError, parse, plan } from '@bufbuild/cel';
import type { CelResult } from '@bufbuild/cel';
import type { RuleActivation } from './activation.js';
import { RULE_ENV } from './cel-env.js';
import { RuleError, RuleEvaluationError } from './errors.js';
import { findTypeClash } from './check-types.js';
import { compileFastPath } from './fast-path.js';
import type { FieldTypes } from './check-types.js';
import { findProblem, staticKind } from './inspect-expr.js';
import type { ParsedRule, StaticKind } from './inspect-expr.js';
import { ALL_RULE_VARIABLES } from './rule-variables.js';
import type { RuleVariable } from './rule-variables.js';
import { positionAt, positionOf } from './source-position.js';

/** Longest expression accepted, in characters; rules are meant to be short. */
export const MAX_EXPRESSION_LENGTH = 4096;

/** What a rule yields: `bool` for conditions, `double` for scores. */
export type RuleKind = 'bool' | 'double';

/** Options for {@link compileRule}. */
export interface CompileRuleOptions<K extends RuleKind = RuleKind> {
  /** Identifies the rule in errors; use the definition field, e.g. `audiences[2].expression`. */
  name: string;
  /** The type the rule must yield. */
  kind: K;
  /** Variables the rule may use. @default every variable in RULE_VARIABLES */
  variables?: readonly RuleVariable[];
  /** When given, `features.<name>` must name one of these. @default no check */
  featureNames?: Iterable<string>;
  /**
   * When given, the rule is type-checked against these declared field types
   * (and `features.<name>` must name one of them). @default no type check
   */
  fieldTypes?: FieldTypes;
  /**
   * Whether plain cases are evaluated by closures over the view, without
   * CEL (see fast-path.ts); false leaves every evaluation to CEL. @default true
   */
  fastPath?: boolean;
}

/** The outcome of one evaluation: a value, or the error that stopped it. */
export type RuleResult<T> = { ok: true; value: T } | { ok: false; error: RuleEvaluationError };

/** A rule parsed and planned once, to be evaluated against many activations. */
export interface CompiledRule<T extends boolean | number = boolean | number> {
  /** The name given at compile time (the definition field). */
  readonly name: string;
  readonly kind: RuleKind;
  /** The expression as written. */
  readonly source: string;
  /** Evaluates the rule; never throws. */
  eval(activation: RuleActivation): RuleResult<T>;
  /** Whether plain cases skip CEL (fast-path.ts). */
  readonly hasFastPath: boolean;
}

/** A compiled condition. */
export type BoolRule = CompiledRule<boolean>;

/** A compiled score. */
export type DoubleRule = CompiledRule<number>;

type Program = (bindings: RuleActivation['bindings']) => CelResult;

const TRUE_RESULT = Object.freeze({ ok: true, value: true } as const);
const FALSE_RESULT = Object.freeze({ ok: true, value: false } as const);

/**
 * Parses, checks and plans a CEL expression, throwing {@link RuleError} with
 * the field and position when it cannot run (see the README for the checks).
 */
export function compileRule(expression: string, options: CompileRuleOptions<'bool'>): BoolRule;
export function compileRule(expression: string, options: CompileRuleOptions<'double'>): DoubleRule;
export function compileRule(expression: string, options: CompileRuleOptions): CompiledRule;
export function compileRule(expression: string, options: CompileRuleOptions): CompiledRule {
  const { name, kind } = options;
  const parsed = parseRule(expression, name);
  checkRule(expression, parsed, options);

  const program = plan(RULE_ENV, parsed) as Program;
  const fast = options.fastPath === false ? undefined : compileFastPath(parsed.expr);
  const position = (exprId: bigint | undefined) => positionOf(expression, parsed, exprId);
  const convert = kind === 'bool' ? toBool : toDouble;
  const plain = kind === 'bool' ? plainBool : plainDouble;
  return {
    name,
    kind,
    source: expression,
    hasFastPath: fast !== undefined,
    eval(activation) {
      if (fast) {
        const result = plain(fast(activation));
        if (result !== undefined) return result;
      }
      const raw = program(activation.bindings);
      if (isCelError(raw)) {
        const error = new RuleEvaluationError(name, raw.message, position(raw.exprId), {
          cause: raw,
        });
        return { ok: false, error };
      }
      return convert(raw, name);
    },
  };
}

function parseRule(expression: string, name: string): ParsedRule {
  if (expression.trim() === '') {
    throw new RuleError(name, expression, 'expression must not be empty');
  }
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    const reason = `expression is longer than ${MAX_EXPRESSION_LENGTH} characters`;
    throw new RuleError(name, expression, reason);
  }
  try {
    return parse(expression);
  } catch (err) {
    const { reason, offset } = describeParseError(err);
    const position = offset === undefined ? undefined : positionAt(expression, offset);
    throw new RuleError(name, expression, reason, position, { cause: err });
  }
}

/** The parser's own message and offset, without its `<input>:1:3:` prefix. */
function describeParseError(err: unknown): { reason: string; offset: number | undefined } {
  const detail = err as { rawMessage?: unknown; location?: { start?: { offset?: unknown } } };
  const offset = detail.location?.start?.offset;
  const raw = typeof detail.rawMessage === 'string' ? detail.rawMessage : String(err);
  return {
    reason: `syntax error: ${raw}`,
    offset: typeof offset === 'number' ? offset : undefined,
  };
}

function checkRule(expression: string, parsed: ParsedRule, options: CompileRuleOptions): void {
  const variables = new Set(options.variables ?? ALL_RULE_VARIABLES);
  const declared = options.fieldTypes?.features.keys();
  const names = options.featureNames ?? declared;
  const featureNames = names && new Set(names);
  const problem =
    findProblem(parsed.expr, { variables, featureNames }) ??
    (options.fieldTypes && findTypeClash(parsed.expr, options.fieldTypes, options.kind));
  if (problem !== undefined) {
    const position = positionOf(expression, parsed, problem.exprId);
    throw new RuleError(options.name, expression, problem.reason, position);
  }

  const yields = staticKind(parsed.expr);
  if (yields !== undefined && !fitsKind(yields, options.kind)) {
    const reason = `a ${options.kind} rule cannot yield ${yields}`;
    throw new RuleError(options.name, expression, reason, positionAt(expression, 0));
  }
}

function fitsKind(yields: StaticKind, kind: RuleKind): boolean {
  return kind === 'bool' ? yields === 'bool' : yields === 'double' || yields === 'int';
}

/** A fast path's answer as a result, when it is one a bool rule yields. */
function plainBool(value: unknown): RuleResult<boolean> | undefined {
  if (value === true) return TRUE_RESULT;
  return value === false ? FALSE_RESULT : undefined;
}

/** A fast path's answer as a result, when it is a finite double (anything else goes to CEL). */
function plainDouble(value: unknown): RuleResult<number> | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? { ok: true, value } : undefined;
}

function toBool(raw: unknown, name: string): RuleResult<boolean> {
  if (typeof raw === 'boolean') {
    return raw ? TRUE_RESULT : FALSE_RESULT;
  }
  return wrongType(name, 'a bool', raw);
}

/** Ints are accepted and converted; NaN and infinities are errors. */
function toDouble(raw: unknown, name: string): RuleResult<number> {
  const value = typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof value === 'number' && Number.isFinite(value)) {
    return { ok: true, value };
  }
  return wrongType(name, 'a finite double', raw);
}

function wrongType(name: string, expected: string, raw: unknown): RuleResult<never> {
  const reason = `expected ${expected}, got ${describeValue(raw)}`;
  return { ok: false, error: new RuleEvaluationError(name, reason) };
}

function describeValue(raw: unknown): string {
  switch (typeof raw) {
    case 'bigint':
      return `int ${raw}`;
    case 'number':
      return `double ${raw}`;
    case 'boolean':
      return `bool ${raw}`;
    case 'string':
      return 'a string';
    default:
      return raw === null ? 'null' : 'a list, map or message';
  }
}
