import { EventType } from '@pulse/proto';

import { InvalidEventError } from '../errors.js';
import type { ResolvedNormalizeOptions } from '../normalize-options.js';

/** How identity failures are reported; JSON and protobuf name fields apart. */
export interface IdentityReport {
  /** Field named when the user is missing. */
  field: string;
  /** Reason when neither a user id nor an anonymous id is present. */
  missing: string;
  /** Reason when an alias lacks its user id. */
  aliasWithoutUser: string;
}

/** What identifies the sender of one event, already normalized. */
export interface IdentityFacts {
  hasUserId: boolean;
  hasAnonymousId: boolean;
  previousId: string;
  groupId: string;
}

/**
 * Requires userId or anonymousId; alias needs previousId and userId, group
 * needs groupId (as the Segment spec says).
 */
export function requireIdentity(
  type: EventType,
  facts: IdentityFacts,
  report: IdentityReport,
): void {
  if (type === EventType.ALIAS) {
    if (!facts.previousId) {
      throw new InvalidEventError('previousId', 'is required for alias');
    }
    if (!facts.hasUserId) {
      throw new InvalidEventError(report.field, report.aliasWithoutUser);
    }
  }
  if (!facts.hasUserId && !facts.hasAnonymousId) {
    throw new InvalidEventError(report.field, report.missing);
  }
  if (type === EventType.GROUP && !facts.groupId) {
    throw new InvalidEventError('groupId', 'is required for group');
  }
}

/** The trimmed name of a track call, which must not be empty; '' otherwise. */
export function readEventName(type: EventType, value: unknown): string {
  if (type !== EventType.TRACK) return '';
  const name = typeof value === 'string' ? value.trim() : '';
  if (name === '') {
    const reason = 'must be a non-empty string for track';
    throw new InvalidEventError('event', reason, value);
  }
  return name;
}

/** The trimmed name of a page or screen call; '' for other types. */
export function readPageName(type: EventType, value: unknown): string {
  if (type !== EventType.PAGE && type !== EventType.SCREEN) return '';
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') {
    throw new InvalidEventError('name', 'must be a string', value);
  }
  return value.trim();
}

/** Event time in ms: absent means the receipt time; too far ahead is rejected. */
export function checkEventTime(ms: number | undefined, options: ResolvedNormalizeOptions): number {
  if (ms === undefined) return options.receivedAtMs;
  const aheadMs = ms - options.receivedAtMs;
  if (aheadMs > options.maxFutureSkewMs) {
    const limit = `${options.maxFutureSkewMs} ms`;
    const reason = `is ${aheadMs} ms after receipt; at most ${limit} allowed`;
    throw new InvalidEventError('timestamp', reason, ms);
  }
  return ms;
}
