import type { SourcePosition } from './errors.js';
import type { ParsedRule } from './inspect-expr.js';

/** Line and column (from 1) of a character offset in `source`. */
export function positionAt(source: string, offset: number): SourcePosition {
  const before = source.slice(0, Math.max(0, offset));
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

/** Where the sub-expression `exprId` starts, if the parser recorded it. */
export function positionOf(
  source: string,
  parsed: ParsedRule,
  exprId: bigint | number | undefined,
): SourcePosition | undefined {
  if (exprId === undefined) {
    return undefined;
  }
  const offset = parsed.sourceInfo?.positions[String(exprId)];
  return offset === undefined ? undefined : positionAt(source, offset);
}
