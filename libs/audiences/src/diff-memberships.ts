import { compareIds } from './audience-set.js';

/** The audiences a profile entered and exited between two evaluations. */
export interface MembershipDiff {
  /** In `after` but not in `before`, sorted. */
  entered: string[];
  /** In `before` but not in `after`, sorted. */
  exited: string[];
}

/** Compares two membership lists (in any order, duplicates ignored). */
export function diffMemberships(
  before: readonly string[],
  after: readonly string[],
): MembershipDiff {
  const was = new Set(before);
  const is = new Set(after);
  const entered = [...is].filter((id) => !was.has(id)).sort(compareIds);
  const exited = [...was].filter((id) => !is.has(id)).sort(compareIds);
  return { entered, exited };
}
