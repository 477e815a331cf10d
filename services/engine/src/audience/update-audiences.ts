import { diffMemberships } from '@pulse/audiences';
import { audienceSubject } from '@pulse/nats';
import { TransitionReason } from '@pulse/proto';
import { nextChangeMs } from '@pulse/features';
import type { AudienceSet, MembershipDiff } from '@pulse/audiences';
import type { ProfileRecord, PulseStore } from '@pulse/store';
import type { Definitions } from '../definitions.js';
import { audienceView } from '../profile/profile-view.js';
import { encodeTransition } from './encode-transition.js';

/** An audience membership change. */
export interface Transition {
  audienceId: string;
  profileId: string;
  entered: boolean;
  atMs: number;
  reason: TransitionReason;
  /** Version of the audience definition in force. */
  version: number;
  /** Event time of what caused the change (see AudienceTransition.caused_at). */
  causedAtMs: number;
}

/** How often rules that read `now` directly are re-evaluated with no event. */
export interface RecheckPolicy {
  nowRuleRecheckMs: number;
}

/**
 * Re-evaluates a profile's audiences at `nowMs`, writes the membership index
 * changes and their transitions to the outbox (in the caller's transaction,
 * so a transition is published if and only if its change committed), and
 * schedules the next re-check: when a windowed feature next changes by time
 * alone, or sooner when a rule reads `now`. The caller writes the profile.
 */
export function updateAudiences(
  store: PulseStore,
  defs: Definitions,
  profile: ProfileRecord,
  nowMs: number,
  policy: RecheckPolicy,
  transitions: Transition[],
  reason: TransitionReason,
  causedAtMs = nowMs,
): void {
  const after = defs.audiences.evaluate(audienceView(profile, defs, nowMs));
  const { entered, exited } = sameIds(profile.audiences, after)
    ? NO_CHANGE
    : diffMemberships(profile.audiences, after);
  const record = (audienceId: string, isEntered: boolean) => {
    store.setMember(audienceId, profile.id, isEntered);
    const transition = {
      audienceId,
      profileId: profile.id,
      entered: isEntered,
      atMs: nowMs,
      reason,
      version: defs.audiences.get(audienceId)?.version ?? 0,
      causedAtMs,
    };
    store.appendOutbox(audienceSubject(audienceId), encodeTransition(transition));
    transitions.push(transition);
  };
  for (const audienceId of entered) record(audienceId, true);
  for (const audienceId of exited) record(audienceId, false);
  profile.audiences = after;

  const next = nextRecheckMs(defs, profile, nowMs, policy);
  store.scheduleRecheck(profile.id, profile.recheckAtMs ?? null, next);
  profile.recheckAtMs = next;
}

const NO_CHANGE: MembershipDiff = Object.freeze({ entered: [], exited: [] });

/** Whether two id lists hold the same ids in the same order (then no membership changed). */
function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Takes a profile out of every audience it is in, with an exit transition
 * each (a merged-away or deleted profile), inside the caller's transaction.
 */
export function leaveAllAudiences(
  store: PulseStore,
  audiences: AudienceSet,
  profile: ProfileRecord,
  atMs: number,
  reason: TransitionReason,
): void {
  for (const audienceId of profile.audiences) {
    store.setMember(audienceId, profile.id, false);
    const version = audiences.get(audienceId)?.version ?? 0;
    const exit = {
      audienceId,
      profileId: profile.id,
      entered: false,
      atMs,
      reason,
      version,
      causedAtMs: atMs,
    };
    store.appendOutbox(audienceSubject(audienceId), encodeTransition(exit));
  }
  profile.audiences = [];
}

function nextRecheckMs(
  defs: Definitions,
  profile: ProfileRecord,
  nowMs: number,
  policy: RecheckPolicy,
): number | null {
  if (defs.audiences.size === 0) return null;
  const byFeatures = nextChangeMs(profile.features as never, defs.features, nowMs);
  if (!defs.audiencesReadTime) return byFeatures;
  const byNow = nowMs + policy.nowRuleRecheckMs;
  return byFeatures === null ? byNow : Math.min(byFeatures, byNow);
}

/**
 * Re-evaluates the profiles whose re-check is due at `nowMs`, at most
 * `limit` of them, in one transaction. Returns how many were checked.
 */
export function runDueRechecks(
  store: PulseStore,
  defs: Definitions,
  nowMs: number,
  policy: RecheckPolicy,
  limit: number,
  transitions: Transition[],
): number {
  // Most rounds find nothing due: a read answers that without taking the
  // write lock (which waits for a commit in flight on LMDB's writer thread).
  if (store.dueRechecks(nowMs, 1).length === 0) return 0;
  return store.transaction(() => {
    const due = store.dueRechecks(nowMs, limit);
    for (const profileId of due) {
      const profile = store.getProfile(profileId);
      if (!profile) {
        store.scheduleRecheck(profileId, null, null);
        continue;
      }
      updateAudiences(store, defs, profile, nowMs, policy, transitions, TransitionReason.TIME);
      store.putProfile(profile);
    }
    return due.length;
  });
}
