import type { ExprProblem, ParsedRule } from './inspect-expr.js';

type Expr = ParsedRule['expr'];

/**
 * What a defined feature reads as: a number; a number or null (min, max,
 * first and last seen); a list of strings (last-N); a map of scores (affinity).
 */
export type FeatureType = 'number' | 'number_or_null' | 'strings' | 'scores';

/** A rule's static type; `dyn` when only the data can tell (traits, locals). */
type RuleType =
  | { kind: 'bool' | 'int' | 'uint' | 'double' | 'string' | 'bytes' | 'null' | 'dyn' }
  | { kind: 'list'; element: RuleType }
  | { kind: 'map'; value: RuleType }
  | { kind: 'features'; fields: ReadonlyMap<string, FeatureType> };

const scalar = (kind: 'bool' | 'int' | 'uint' | 'double' | 'string' | 'bytes' | 'null' | 'dyn') =>
  ({ kind }) as RuleType;
const DYN = scalar('dyn');
const BOOL = scalar('bool');
const DOUBLE = scalar('double');
const STRING = scalar('string');
const INT = scalar('int');

const NUMERIC = new Set(['int', 'uint', 'double']);

const COMPARISONS: Readonly<Record<string, string>> = {
  '_<_': '<',
  '_<=_': '<=',
  '_>_': '>',
  '_>=_': '>=',
};
const EQUALITIES: Readonly<Record<string, string>> = { '_==_': '==', '_!=_': '!=' };
const ARITHMETIC: Readonly<Record<string, string>> = {
  '_+_': '+',
  '_-_': '-',
  '_*_': '*',
  '_/_': '/',
  '_%_': '%',
};
const STRING_METHODS = new Set(['contains', 'startsWith', 'endsWith', 'matches']);
const CONVERSIONS: Readonly<Record<string, RuleType>> = {
  size: INT,
  int: INT,
  double: DOUBLE,
  string: STRING,
  days: DOUBLE,
  hours: DOUBLE,
  minutes: DOUBLE,
};

/** The declared types of the profile's fields, as rules see them. */
export interface FieldTypes {
  /** Feature name to what it reads as. */
  readonly features: ReadonlyMap<string, FeatureType>;
}

class TypeProblem extends Error {
  constructor(
    readonly reason: string,
    readonly exprId: bigint,
  ) {
    super(reason);
  }
}

/**
 * Infers the type of every sub-expression from the declared field types and
 * reports the first clash: an operator applied to types it has no overload
 * for, a field read on a scalar, or a rule that cannot yield a bool.
 */
export function findTypeClash(
  expr: Expr,
  fields: FieldTypes,
  yields: 'bool' | 'double',
): ExprProblem | undefined {
  try {
    const type = infer(expr, fields, new Set());
    const fits = yields === 'bool' ? type.kind === 'bool' : NUMERIC.has(type.kind);
    if (!fits && type.kind !== 'dyn') {
      return {
        reason: `type clash: the rule yields ${show(type)}, not ${yields}`,
        exprId: expr.id,
      };
    }
    return undefined;
  } catch (err) {
    if (err instanceof TypeProblem) return { reason: err.reason, exprId: err.exprId };
    throw err;
  }
}

function infer(expr: Expr, fields: FieldTypes, locals: ReadonlySet<string>): RuleType {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'constExpr':
      return constantType(kind.value.constantKind.case);
    case 'identExpr':
      return locals.has(kind.value.name) ? DYN : variableType(kind.value.name, fields);
    case 'selectExpr': {
      const operand = infer(kind.value.operand!, fields, locals);
      const type = fieldOf(operand, kind.value.field, expr);
      return kind.value.testOnly ? BOOL : type;
    }
    case 'callExpr':
      return callType(expr, fields, locals);
    case 'listExpr':
      kind.value.elements.forEach((e) => infer(e, fields, locals));
      return { kind: 'list', element: DYN };
    case 'structExpr':
      return { kind: 'map', value: DYN };
    case 'comprehensionExpr': {
      const c = kind.value;
      infer(c.iterRange!, fields, locals);
      const inner = new Set([...locals, c.iterVar, c.iterVar2, c.accuVar].filter((v) => v !== ''));
      return infer(c.result!, fields, inner);
    }
    default:
      return DYN;
  }
}

function callType(expr: Expr, fields: FieldTypes, locals: ReadonlySet<string>): RuleType {
  const call = expr.exprKind.value as { function: string; target?: Expr; args: Expr[] };
  const name = call.function;
  const target = call.target && infer(call.target, fields, locals);
  const args = call.args.map((a) => infer(a, fields, locals));
  const [left = DYN, right = DYN] = args;
  const clash = (reason: string) => new TypeProblem(`type clash: ${reason}`, expr.id);
  const operand = (i: number) => describe(call.args[i], args[i]);

  if (name === '_&&_' || name === '_||_' || name === '!_') {
    const bad = args.findIndex((t) => t.kind !== 'bool' && t.kind !== 'dyn');
    if (bad >= 0) throw clash(`'${opName(name)}' needs bool operands, got ${operand(bad)}`);
    return BOOL;
  }
  if (name in COMPARISONS || name in EQUALITIES) {
    const ordered = name in COMPARISONS;
    if (!comparable(left, right, ordered)) {
      const op = COMPARISONS[name] ?? EQUALITIES[name];
      throw clash(`'${op}' cannot compare ${operand(0)} with ${operand(1)}`);
    }
    return BOOL;
  }
  if (name in ARITHMETIC) return arithmetic(ARITHMETIC[name]!, left, right, operand, clash);
  if (name === '-_') return left;
  if (name === '_?_:_') return args[1]?.kind === args[2]?.kind ? args[1]! : DYN;
  if (name === '_[_]') return indexType(call.args, left, expr);
  if (name === '@in') {
    if (!['list', 'map', 'features', 'dyn'].includes(right.kind)) {
      throw clash(`'in' needs a list or map on the right, got ${operand(1)}`);
    }
    return BOOL;
  }
  if (STRING_METHODS.has(name)) {
    const subject = target ?? left;
    if (subject.kind !== 'string' && subject.kind !== 'dyn') {
      throw clash(
        `'${name}' needs a string, got ${describe(call.target ?? call.args[0], subject)}`,
      );
    }
    return BOOL;
  }
  return CONVERSIONS[name] ?? DYN;
}

function arithmetic(
  op: string,
  left: RuleType,
  right: RuleType,
  operand: (i: number) => string,
  clash: (reason: string) => TypeProblem,
): RuleType {
  if (left.kind === 'dyn') return right;
  if (right.kind === 'dyn') return left;
  const numeric = NUMERIC.has(left.kind) && left.kind === right.kind;
  const joined = op === '+' && left.kind === right.kind && ['string', 'list'].includes(left.kind);
  if (numeric || joined) return left;
  const hint = NUMERIC.has(left.kind) && NUMERIC.has(right.kind) ? ' (write 1.0, not 1)' : '';
  throw clash(`'${op}' has no overload for ${operand(0)} and ${operand(1)}${hint}`);
}

function comparable(a: RuleType, b: RuleType, ordered: boolean): boolean {
  if (a.kind === 'dyn' || b.kind === 'dyn') return true;
  if (NUMERIC.has(a.kind) && NUMERIC.has(b.kind)) return true;
  if (!ordered && (a.kind === 'null' || b.kind === 'null')) return true;
  if (a.kind !== b.kind) return false;
  return !ordered || ['string', 'bytes', 'bool'].includes(a.kind);
}

function fieldOf(operand: RuleType, field: string, expr: Expr): RuleType {
  switch (operand.kind) {
    case 'features': {
      const declared = operand.fields.get(field);
      if (declared === undefined) throw new TypeProblem(`unknown feature '${field}'`, expr.id);
      return featureType(declared);
    }
    case 'map':
      return operand.value;
    case 'dyn':
      return DYN;
    default: {
      const reason = `type clash: ${show(operand)} has no field '${field}'`;
      throw new TypeProblem(reason, expr.id);
    }
  }
}

function indexType(args: readonly Expr[], operand: RuleType, expr: Expr): RuleType {
  const key = args[1]?.exprKind;
  switch (operand.kind) {
    case 'list':
      return operand.element;
    case 'map':
      return operand.value;
    case 'features':
      if (key?.case === 'constExpr' && key.value.constantKind.case === 'stringValue') {
        return fieldOf(operand, key.value.constantKind.value, expr);
      }
      return DYN;
    case 'dyn':
      return DYN;
    default:
      throw new TypeProblem(`type clash: cannot index ${describe(args[0], operand)}`, expr.id);
  }
}

function featureType(type: FeatureType): RuleType {
  switch (type) {
    case 'number':
    case 'number_or_null':
      return DOUBLE;
    case 'strings':
      return { kind: 'list', element: STRING };
    case 'scores':
      return { kind: 'map', value: DOUBLE };
  }
}

function variableType(name: string, fields: FieldTypes): RuleType {
  switch (name) {
    case 'features':
      return { kind: 'features', fields: fields.features };
    case 'identifiers':
      return { kind: 'map', value: { kind: 'list', element: STRING } };
    case 'now':
      return DOUBLE;
    case 'profile_id':
    case 'placement':
      return STRING;
    default:
      // traits, request and type names: shaped by the data.
      return name === 'traits' || name === 'request' ? { kind: 'map', value: DYN } : DYN;
  }
}

function constantType(constant: string | undefined): RuleType {
  switch (constant) {
    case 'boolValue':
      return BOOL;
    case 'int64Value':
      return INT;
    case 'uint64Value':
      return scalar('uint');
    case 'doubleValue':
      return DOUBLE;
    case 'stringValue':
      return STRING;
    case 'bytesValue':
      return scalar('bytes');
    case 'nullValue':
      return scalar('null');
    default:
      return DYN;
  }
}

/** `features.spend_30d (double)` for a field read, else just the type. */
function describe(expr: Expr | undefined, type: RuleType | undefined): string {
  const path = expr && pathOf(expr);
  const shown = type === undefined ? 'dyn' : show(type);
  return path === undefined ? shown : `${path} (${shown})`;
}

function pathOf(expr: Expr): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === 'identExpr') return kind.value.name;
  if (kind.case !== 'selectExpr' || kind.value.operand === undefined) return undefined;
  const operand = pathOf(kind.value.operand);
  return operand === undefined ? undefined : `${operand}.${kind.value.field}`;
}

function show(type: RuleType): string {
  switch (type.kind) {
    case 'list':
      return `list(${show(type.element)})`;
    case 'map':
      return `map(string, ${show(type.value)})`;
    case 'features':
      return 'map(string, dyn)';
    default:
      return type.kind;
  }
}

function opName(name: string): string {
  return name.replace(/_/g, '');
}
