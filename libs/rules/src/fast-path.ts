import type { JsonObject } from '@bufbuild/protobuf';
import { DURATION_HELPERS } from './cel-env.js';
import type { ParsedRule } from './inspect-expr.js';
import type { DecisionContext, ProfileView } from './profile-view.js';

type Expr = ParsedRule['expr'];

/**
 * Returned by a fast path when the case is not a plain one (a missing key, a
 * null where a number goes, mixed types, a list): the rule is then
 * evaluated by CEL, which gives the value or the error with its position.
 */
export const UNSURE: unique symbol = Symbol('unsure');

/** A value as the fast path holds it: JSON-like, ints as bigint. */
type Value = number | bigint | string | boolean | null | readonly unknown[] | object;

type Result = Value | typeof UNSURE;

/** What a fast path reads: the view and decision context, unconverted. */
export interface FastInput {
  readonly view: ProfileView;
  readonly context: DecisionContext | undefined;
}

/** A rule compiled to closures over the plain view. */
export type FastPath = (input: FastInput) => Result;

type Node = (input: FastInput) => Result;

const EMPTY_REQUEST: JsonObject = Object.freeze({});

/**
 * Compiles the common shape of rules (field reads, presence tests, `in` on
 * maps, comparisons and arithmetic on doubles, logic, `days(n)` and the
 * like) to closures that read the profile view as it is, without building
 * CEL maps. Returns undefined when the rule uses anything else; then CEL
 * alone evaluates it. Where a fast path answers, CEL would answer the same:
 * it answers only cases whose result does not depend on CEL's finer points
 * (errors, int arithmetic, string ordering, list equality) and says
 * {@link UNSURE} for the rest. `fast-path.test.ts` checks that against CEL
 * on random profiles.
 */
export function compileFastPath(expr: Expr): FastPath | undefined {
  try {
    return compile(expr);
  } catch (err) {
    if (err instanceof NotCompiled) return undefined;
    throw err;
  }
}

class NotCompiled extends Error {}

function compile(expr: Expr): Node {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'constExpr':
      return constant(kind.value.constantKind);
    case 'identExpr':
      return variable(kind.value.name);
    case 'selectExpr': {
      const operand = compile(kind.value.operand ?? notCompiled());
      const field = kind.value.field;
      return kind.value.testOnly ? presence(operand, field) : member(operand, field);
    }
    case 'callExpr': {
      if (kind.value.target !== undefined) throw new NotCompiled();
      return call(kind.value.function, kind.value.args.map(compile));
    }
    default:
      throw new NotCompiled();
  }
}

function notCompiled(): never {
  throw new NotCompiled();
}

function constant(
  constantKind: Extract<Expr['exprKind'], { case: 'constExpr' }>['value']['constantKind'],
): Node {
  switch (constantKind.case) {
    case 'doubleValue':
    case 'stringValue':
    case 'boolValue': {
      const value = constantKind.value;
      return () => value;
    }
    case 'int64Value': {
      const value = constantKind.value;
      // Beyond 2^53 a comparison with a double would need CEL's exact rules.
      if (!Number.isSafeInteger(Number(value))) throw new NotCompiled();
      return () => value;
    }
    case 'nullValue':
      return () => null;
    default:
      throw new NotCompiled();
  }
}

function variable(name: string): Node {
  switch (name) {
    case 'features':
      return (input) => input.view.features;
    case 'traits':
      return (input) => input.view.traits;
    case 'identifiers':
      return (input) => input.view.identifiers;
    case 'now':
      return (input) => input.view.nowMs;
    case 'profile_id':
      return (input) => input.view.profileId;
    case 'request':
      return (input) => input.context?.request ?? EMPTY_REQUEST;
    case 'placement':
      return (input) => input.context?.placement ?? '';
    default:
      throw new NotCompiled();
  }
}

/** A map is a plain object; lists are arrays. */
function isMap(value: Result): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function member(operand: Node, field: string): Node {
  return (input) => {
    const map = operand(input);
    if (!isMap(map) || !Object.hasOwn(map, field)) return UNSURE;
    return valueOf(map[field]);
  };
}

function presence(operand: Node, field: string): Node {
  return (input) => {
    const map = operand(input);
    if (!isMap(map)) return UNSURE;
    // A key holding null counts as absent to has(); left to CEL all the same.
    const value = Object.hasOwn(map, field) ? map[field] : undefined;
    return value === null ? UNSURE : value !== undefined;
  };
}

/** A JSON value as CEL sees it; `undefined` (an absent optional) is not a value. */
function valueOf(raw: unknown): Result {
  return raw === undefined ? UNSURE : (raw as Value);
}

function call(name: string, args: Node[]): Node {
  const [a, b, c] = args;
  switch (args.length) {
    case 1:
      return unary(name, a!);
    case 2:
      return binary(name, a!, b!);
    case 3:
      if (name !== '_?_:_') throw new NotCompiled();
      return (input) => {
        const condition = a!(input);
        if (typeof condition !== 'boolean') return UNSURE;
        return condition ? b!(input) : c!(input);
      };
    default:
      throw new NotCompiled();
  }
}

function unary(name: string, a: Node): Node {
  if (name === '!_') {
    return (input) => {
      const x = a(input);
      return typeof x === 'boolean' ? !x : UNSURE;
    };
  }
  if (name === '-_') {
    return (input) => {
      const x = a(input);
      return typeof x === 'number' ? -x : UNSURE;
    };
  }
  const unitMs = Object.hasOwn(DURATION_HELPERS, name) ? DURATION_HELPERS[name] : undefined;
  if (unitMs === undefined) throw new NotCompiled();
  return (input) => {
    const x = a(input);
    if (typeof x === 'number') return x * unitMs;
    return typeof x === 'bigint' ? Number(x) * unitMs : UNSURE;
  };
}

function binary(name: string, a: Node, b: Node): Node {
  switch (name) {
    case '_&&_':
      // CEL's && is false when either side is false, even if the other fails.
      return (input) => {
        const x = a(input);
        if (x === false) return false;
        const y = b(input);
        if (y === false) return false;
        return x === true && y === true ? true : UNSURE;
      };
    case '_||_':
      return (input) => {
        const x = a(input);
        if (x === true) return true;
        const y = b(input);
        if (y === true) return true;
        return x === false && y === false ? false : UNSURE;
      };
    case '_==_':
      return (input) => equals(a(input), b(input));
    case '_!=_':
      return (input) => {
        const same = equals(a(input), b(input));
        return same === UNSURE ? UNSURE : !same;
      };
    case '_<_':
      return comparison(a, b, (order) => order < 0);
    case '_<=_':
      return comparison(a, b, (order) => order <= 0);
    case '_>_':
      return comparison(a, b, (order) => order > 0);
    case '_>=_':
      return comparison(a, b, (order) => order >= 0);
    case '_+_':
      return arithmetic(a, b, (x, y) => x + y);
    case '_-_':
      return arithmetic(a, b, (x, y) => x - y);
    case '_*_':
      return arithmetic(a, b, (x, y) => x * y);
    case '_/_':
      // CEL's division by zero is left to CEL.
      return arithmetic(a, b, (x, y) => (y === 0 ? UNSURE : x / y));
    case '@in':
      return (input) => {
        const key = a(input);
        const map = b(input);
        if (typeof key !== 'string' || !isMap(map)) return UNSURE;
        const value = Object.hasOwn(map, key) ? map[key] : undefined;
        return value === null ? UNSURE : value !== undefined;
      };
    case '_[_]':
      return (input) => {
        const map = a(input);
        const key = b(input);
        if (typeof key !== 'string' || !isMap(map) || !Object.hasOwn(map, key)) return UNSURE;
        return valueOf(map[key]);
      };
    default:
      throw new NotCompiled();
  }
}

/** A number of either kind as a double, when exact; undefined otherwise. */
function numeric(x: Result): number | undefined {
  if (typeof x === 'number') return x;
  return typeof x === 'bigint' ? Number(x) : undefined;
}

/**
 * CEL's equality where it is plain: numbers of either kind by value, strings,
 * bools, and null against a scalar. Lists, maps and other mixes are UNSURE.
 */
function equals(x: Result, y: Result): boolean | typeof UNSURE {
  if (x === UNSURE || y === UNSURE) return UNSURE;
  const nx = numeric(x);
  const ny = numeric(y);
  if (nx !== undefined && ny !== undefined) return nx === ny;
  if (typeof x === 'object' && x !== null) return UNSURE;
  if (typeof y === 'object' && y !== null) return UNSURE;
  if (x === null || y === null) return x === y;
  if (typeof x !== typeof y) return UNSURE;
  return x === y;
}

/** Ordering of numbers of either kind; strings and the rest go to CEL. */
function comparison(a: Node, b: Node, holds: (order: number) => boolean): Node {
  return (input) => {
    const x = numeric(a(input));
    const y = numeric(b(input));
    if (x === undefined || y === undefined) return UNSURE;
    if (Number.isNaN(x) || Number.isNaN(y)) return UNSURE;
    return holds(x < y ? -1 : x > y ? 1 : 0);
  };
}

/** Double arithmetic only: CEL refuses to mix kinds, and int arithmetic can overflow. */
function arithmetic(a: Node, b: Node, op: (x: number, y: number) => Result): Node {
  return (input) => {
    const x = a(input);
    const y = b(input);
    return typeof x === 'number' && typeof y === 'number' ? op(x, y) : UNSURE;
  };
}
