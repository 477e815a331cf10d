import { diffMemberships } from '@pulse/audiences';
import { nextChangeMs } from '@pulse/features';
import type { ProfileRecord, PulseStore } from '@pulse/store';
import type { Definitions } from '../definitions.js';
import { profileView } from '../profile/profile-view.js';

/** An audience membership change. */
export interface Transition {
  audienceId: string;
  profileId: string;
  entered: boolean;
  atMs: number;
}

/** How often rules that read `now` directly are re-evaluated with no event. */
export interface RecheckPolicy {
  nowRuleRecheckMs: number;
}

/**
 * Re-evaluates a profile's audiences at `nowMs`, writes the membership index
 * changes, and schedules the next re-check: when a windowed feature next
 * changes by time alone, or sooner when a rule reads `now` itself. The
 * caller writes the profile record.
 */
export function updateAudiences(
  store: PulseStore,
  defs: Definitions,
  profile: ProfileRecord,
  nowMs: number,
  policy: RecheckPolicy,
  transitions: Transition[],
): void {
  const after = defs.audiences.evaluate(profileView(profile, defs, nowMs));
  const { entered, exited } = diffMemberships(profile.audiences, after);
  for (const audienceId of entered) {
    store.setMember(audienceId, profile.id, true);
    transitions.push({ audienceId, profileId: profile.id, entered: true, atMs: nowMs });
  }
  for (const audienceId of exited) {
    store.setMember(audienceId, profile.id, false);
    transitions.push({ audienceId, profileId: profile.id, entered: false, atMs: nowMs });
  }
  profile.audiences = after;

  const next = nextRecheckMs(defs, profile, nowMs, policy);
  store.scheduleRecheck(profile.id, profile.recheckAtMs ?? null, next);
  profile.recheckAtMs = next;
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
  return store.transaction(() => {
    const due = store.dueRechecks(nowMs, limit);
    for (const profileId of due) {
      const profile = store.getProfile(profileId);
      if (!profile) {
        store.scheduleRecheck(profileId, null, null);
        continue;
      }
      updateAudiences(store, defs, profile, nowMs, policy, transitions);
      store.putProfile(profile);
    }
    return due.length;
  });
}
