import { createHash } from 'node:crypto';

/** A stable share of profiles kept out of learning, to measure uplift against. */
export interface HoldoutOptions {
  /** The share of profiles held out, in [0, 1]. */
  share: number;
  /** Mixed into the hash; a new salt draws a new holdout. */
  salt: string;
  /** What the holdout gets: the fixed ranking, or no offer at all. @default 'fixed' */
  serve?: 'fixed' | 'nothing';
}

/**
 * The profile's point in [0, 1): the first 4 bytes of SHA-256 over
 * `salt + '\0' + profileId`, as a big-endian integer over 2³². Stable across
 * processes and releases, and easy to recompute in an analysis.
 */
export function holdoutPoint(profileId: string, salt: string): number {
  const digest = createHash('sha256').update(`${salt}\u0000${profileId}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** True when the profile falls in the holdout: its point is below the share. */
export function inHoldout(profileId: string, holdout: HoldoutOptions | undefined): boolean {
  return holdout !== undefined && holdoutPoint(profileId, holdout.salt) < holdout.share;
}
