import type { parse } from '@bufbuild/cel';
import { isKnownFunction } from './cel-env.js';
import { SCALAR_RULE_VARIABLES } from './rule-variables.js';
import type { RuleVariable } from './rule-variables.js';

/** A parsed expression tree as `@bufbuild/cel` builds it. */
export type ParsedRule = ReturnType<typeof parse>;

type Expr = ParsedRule['expr'];

/** A statically known result type; `undefined` when it depends on the data. */
export type StaticKind =
  'bool' | 'int' | 'uint' | 'double' | 'string' | 'bytes' | 'null' | 'list' | 'map';

/** What the inspector needs to know about the rule's surroundings. */
export interface InspectContext {
  readonly variables: ReadonlySet<RuleVariable>;
  readonly featureNames: ReadonlySet<string> | undefined;
}

/** The first problem found, and the id of the sub-expression at fault. */
export interface ExprProblem {
  readonly reason: string;
  readonly exprId: bigint;
}

/** CEL type names, which may appear as plain identifiers (`type(x) == int`). */
const TYPE_IDENTIFIERS: ReadonlySet<string> = new Set([
  'bool',
  'bytes',
  'double',
  'int',
  'list',
  'map',
  'null_type',
  'string',
  'type',
  'uint',
]);

const BOOL_FUNCTIONS: ReadonlySet<string> = new Set([
  '_==_',
  '_!=_',
  '_<_',
  '_<=_',
  '_>_',
  '_>=_',
  '_&&_',
  '_||_',
  '!_',
  '@in',
  'contains',
  'endsWith',
  'matches',
  'startsWith',
]);

const ARITHMETIC_FUNCTIONS: ReadonlySet<string> = new Set([
  '_+_',
  '_-_',
  '_*_',
  '_/_',
  '_%_',
  '-_',
]);

const KIND_OF_FUNCTION: Readonly<Record<string, StaticKind>> = {
  size: 'int',
  int: 'int',
  double: 'double',
  string: 'string',
};

/**
 * Walks the tree once and reports the first name that cannot resolve: an
 * unknown variable, function or feature, or a field read on a scalar.
 */
export function findProblem(
  expr: Expr,
  context: InspectContext,
  locals: ReadonlySet<string> = new Set(),
): ExprProblem | undefined {
  const kind = expr.exprKind;
  const child = (e: Expr | undefined, scope = locals) =>
    e === undefined ? undefined : findProblem(e, context, scope);

  switch (kind.case) {
    case 'identExpr':
      return checkIdent(kind.value.name, expr.id, context, locals);
    case 'selectExpr': {
      const { operand, field } = kind.value;
      return checkField(operand, field, expr.id, context, locals) ?? child(operand);
    }
    case 'callExpr': {
      const { function: name, target, args } = kind.value;
      if (!isKnownFunction(name)) {
        return { reason: `unknown function '${name}'`, exprId: expr.id };
      }
      const indexed = name === '_[_]' ? constantIndex(args, locals) : undefined;
      const indexProblem =
        indexed && checkField(indexed.operand, indexed.key, expr.id, context, locals);
      return indexProblem || child(target) || firstOf(args, (a) => child(a));
    }
    case 'listExpr':
      return firstOf(kind.value.elements, (e) => child(e));
    case 'structExpr':
      return firstOf(kind.value.entries, (entry) => {
        const key = entry.keyKind.case === 'mapKey' ? entry.keyKind.value : undefined;
        return child(key) ?? child(entry.value);
      });
    case 'comprehensionExpr': {
      const c = kind.value;
      const inner = new Set([...locals, c.iterVar, c.iterVar2, c.accuVar].filter((v) => v !== ''));
      return (
        child(c.iterRange) ??
        child(c.accuInit) ??
        child(c.loopCondition, inner) ??
        child(c.loopStep, inner) ??
        child(c.result, inner)
      );
    }
    default:
      return undefined;
  }
}

function checkIdent(
  name: string,
  exprId: bigint,
  context: InspectContext,
  locals: ReadonlySet<string>,
): ExprProblem | undefined {
  if (
    locals.has(name) ||
    TYPE_IDENTIFIERS.has(name) ||
    context.variables.has(name as RuleVariable)
  ) {
    return undefined;
  }
  const known = [...context.variables].join(', ');
  return { reason: `unknown variable '${name}'; rules here see ${known}`, exprId };
}

/** Checks `operand.field` where operand is a rule variable (not a shadowing local). */
function checkField(
  operand: Expr | undefined,
  field: string,
  exprId: bigint,
  context: InspectContext,
  locals: ReadonlySet<string>,
): ExprProblem | undefined {
  if (operand?.exprKind.case !== 'identExpr') {
    return undefined;
  }
  const variable = operand.exprKind.value.name;
  if (locals.has(variable)) {
    return undefined;
  }
  if (SCALAR_RULE_VARIABLES.has(variable)) {
    return { reason: `'${variable}' is a scalar and has no field '${field}'`, exprId };
  }
  const features = context.featureNames;
  if (variable === 'features' && features !== undefined && !features.has(field)) {
    return { reason: `unknown feature '${field}'`, exprId };
  }
  return undefined;
}

/** For `x['key']`, the operand and the constant key; undefined for any other index. */
function constantIndex(
  args: readonly Expr[],
  locals: ReadonlySet<string>,
): { operand: Expr; key: string } | undefined {
  const [operand, key] = args;
  if (operand === undefined || key?.exprKind.case !== 'constExpr') {
    return undefined;
  }
  const constant = key.exprKind.value.constantKind;
  if (constant.case !== 'stringValue' || locals.has(identName(operand) ?? '')) {
    return undefined;
  }
  return { operand, key: constant.value };
}

function identName(expr: Expr): string | undefined {
  return expr.exprKind.case === 'identExpr' ? expr.exprKind.value.name : undefined;
}

function firstOf<T>(items: readonly T[], check: (item: T) => ExprProblem | undefined) {
  for (const item of items) {
    const problem = check(item);
    if (problem !== undefined) {
      return problem;
    }
  }
  return undefined;
}

/** The result type of `expr` when it is clear without knowing the data. */
export function staticKind(expr: Expr): StaticKind | undefined {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'constExpr':
      return constantKind(kind.value.constantKind.case);
    case 'selectExpr':
      return kind.value.testOnly ? 'bool' : undefined;
    case 'listExpr':
      return 'list';
    case 'structExpr':
      return kind.value.messageName === '' ? 'map' : undefined;
    case 'callExpr': {
      const { function: name, args } = kind.value;
      if (name === '_?_:_') {
        const [, whenTrue, whenFalse] = args.map(staticKind);
        return whenTrue === whenFalse ? whenTrue : undefined;
      }
      if (ARITHMETIC_FUNCTIONS.has(name)) {
        // Operands of arithmetic share one type, so either known operand tells.
        return args.map(staticKind).find((k) => k !== undefined);
      }
      return BOOL_FUNCTIONS.has(name) ? 'bool' : KIND_OF_FUNCTION[name];
    }
    default:
      return undefined;
  }
}

function constantKind(constant: string | undefined): StaticKind | undefined {
  switch (constant) {
    case 'boolValue':
      return 'bool';
    case 'int64Value':
      return 'int';
    case 'uint64Value':
      return 'uint';
    case 'doubleValue':
      return 'double';
    case 'stringValue':
      return 'string';
    case 'bytesValue':
      return 'bytes';
    case 'nullValue':
      return 'null';
    default:
      return undefined;
  }
}
