import { parse } from '@bufbuild/cel';
import type { ParsedRule } from './inspect-expr.js';

type Expr = NonNullable<ParsedRule['expr']>;

/**
 * The keys a rule may read of a map variable: a set when every use names a
 * constant key (`features.orders_7d`, `traits['plan']`, `has(traits.plan)`),
 * empty when the variable is not used, `undefined` when some use needs the
 * whole map (`'x' in traits`, `features.size()`, a comprehension over it).
 */
export type KeysRead = ReadonlySet<string> | undefined;

/** What some rules read of the profile's map variables; the rest of a view can be left out. */
export interface RuleReads {
  readonly traits: KeysRead;
  readonly features: KeysRead;
  readonly identifiers: KeysRead;
}

type MapVariable = keyof RuleReads;

const MAP_VARIABLES: ReadonlySet<string> = new Set<MapVariable>([
  'traits',
  'features',
  'identifiers',
]);

/** What the rules with these expressions read, together (each must parse). */
export function ruleReads(expressions: Iterable<string>): RuleReads {
  const found = new Map<MapVariable, Set<string> | undefined>(
    [...MAP_VARIABLES].map((name) => [name as MapVariable, new Set<string>()]),
  );
  for (const expression of expressions) {
    const expr = parse(expression).expr;
    if (expr !== undefined) collect(expr, new Set(), found);
  }
  return {
    traits: found.get('traits'),
    features: found.get('features'),
    identifiers: found.get('identifiers'),
  };
}

/** Records the keys `expr` reads of each map variable not shadowed by a local. */
function collect(
  expr: Expr,
  locals: ReadonlySet<string>,
  found: Map<MapVariable, Set<string> | undefined>,
): void {
  const kind = expr.exprKind;
  const child = (e: Expr | undefined, scope = locals) => {
    if (e !== undefined) collect(e, scope, found);
  };
  switch (kind.case) {
    case 'identExpr':
      if (isMapVariable(kind.value.name, locals)) found.set(kind.value.name, undefined);
      return;
    case 'selectExpr': {
      const variable = mapVariableOf(kind.value.operand, locals);
      if (variable === undefined) child(kind.value.operand);
      else found.get(variable)?.add(kind.value.field);
      return;
    }
    case 'callExpr': {
      const { function: name, target, args } = kind.value;
      const [operand, key] = args;
      const variable = name === '_[_]' ? mapVariableOf(operand, locals) : undefined;
      const constantKey = key && constantString(key);
      if (variable !== undefined && constantKey !== undefined && target === undefined) {
        found.get(variable)?.add(constantKey);
        return;
      }
      child(target);
      for (const arg of args) child(arg);
      return;
    }
    case 'listExpr':
      for (const element of kind.value.elements) child(element);
      return;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') child(entry.keyKind.value);
        child(entry.value);
      }
      return;
    case 'comprehensionExpr': {
      const c = kind.value;
      const inner = new Set([...locals, c.iterVar, c.iterVar2, c.accuVar].filter((v) => v !== ''));
      child(c.iterRange);
      child(c.accuInit);
      child(c.loopCondition, inner);
      child(c.loopStep, inner);
      child(c.result, inner);
      return;
    }
    default:
      return;
  }
}

function isMapVariable(name: string, locals: ReadonlySet<string>): name is MapVariable {
  return MAP_VARIABLES.has(name) && !locals.has(name);
}

function mapVariableOf(
  expr: Expr | undefined,
  locals: ReadonlySet<string>,
): MapVariable | undefined {
  if (expr?.exprKind.case !== 'identExpr') return undefined;
  const name = expr.exprKind.value.name;
  return isMapVariable(name, locals) ? name : undefined;
}

function constantString(expr: Expr): string | undefined {
  if (expr.exprKind.case !== 'constExpr') return undefined;
  const constant = expr.exprKind.value.constantKind;
  return constant.case === 'stringValue' ? constant.value : undefined;
}
