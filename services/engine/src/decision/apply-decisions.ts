import { timestampMs } from '@bufbuild/protobuf/wkt';
import {
  createContactState,
  pruneContactState,
  recordContact,
  recordDecision,
  recordFeedback,
} from '@pulse/learning';
import type { ContactState, Decision, DecisionRecord, Feedback } from '@pulse/learning';
import type { Event } from '@pulse/proto';
import { AMOUNT_MAX } from '@pulse/events';
import type { PulseStore } from '@pulse/store';
import { PROFILE_ID_TYPE } from '../profile/find-profile.js';
import type { Definitions } from '../definitions.js';
import { counters } from './learning-state.js';
import type { LearningBatch } from './learning-state.js';

/** Track events that report what a visitor did with an offer of a decision. */
export const FEEDBACK_EVENTS: Readonly<Record<string, Feedback['kind']>> = {
  'Offer Viewed': 'viewed',
  'Offer Clicked': 'clicked',
  'Offer Converted': 'converted',
  'Offer Dismissed': 'dismissed',
};

/**
 * Applies a decision from the stream (inside the batch transaction): keeps
 * what its feedback will need until the attribution window closes, counts it
 * per offer, and records an impression of each offer shown in the profile's
 * contact history (`contacts` in LMDB) at the decision instant.
 */
export function applyDecisionEvent(
  store: PulseStore,
  defs: Definitions,
  batch: LearningBatch,
  event: Event,
  oldestDecisionMs: number,
): void {
  const logged = event.decision;
  if (!logged?.decidedAt) return;
  const decidedAtMs = timestampMs(logged.decidedAt);
  const record: DecisionRecord = {
    decisionId: logged.decisionId,
    profileId: logged.profileId,
    placement: logged.placement,
    decidedAtMs,
    holdout: logged.holdout,
    x: [...logged.context],
    offers: logged.chosen.map((offerId) => ({
      offerId,
      viewed: false,
      clicked: false,
      converted: false,
    })),
  };
  store.decisions.putSync(record.decisionId, record);
  store.decisionsByTime.putSync([decidedAtMs, record.decisionId], true);
  const decision = {
    placement: logged.placement,
    model: logged.model,
    deviated: logged.explored,
    offers: logged.chosen,
  } as unknown as Decision;
  recordDecision(batch.delta, decision);
  for (const offerId of logged.chosen)
    counters(batch.stats, logged.placement, offerId).decisions += 1;
  if (logged.profileId && logged.chosen.length > 0) {
    // The contact history lives beside the profile, not in it: a decision
    // does not rewrite the profile record.
    const profileId = profileIdNow(store, logged.profileId);
    const contact = contactOf(store, profileId);
    logged.chosen.forEach((offerId, i) => {
      const group = logged.chosenGroups[i] || undefined;
      recordContact(contact, { kind: 'impression', offerId, group, atMs: decidedAtMs });
    });
    saveContact(store, defs, profileId, contact, oldestDecisionMs);
  }
  batch.changed = true;
  batch.appliedDecisions.push(record.decisionId);
}

/**
 * Applies one feedback event (inside the batch transaction): attributes it
 * to its decision (libs/learning's rules: once per offer and kind, within
 * the attribution window), counts it per offer, and records a conversion or
 * dismissal in the profile's contact history for cool-downs.
 */
export function applyFeedback(
  store: PulseStore,
  defs: Definitions,
  batch: LearningBatch,
  event: Event,
  profileId: string,
  atMs: number,
  oldestDecisionMs: number,
): void {
  const kind = FEEDBACK_EVENTS[event.event];
  const properties = event.properties ?? {};
  const decisionId = typeof properties.decision_id === 'string' ? properties.decision_id : '';
  const offerId = typeof properties.offer_id === 'string' ? properties.offer_id : '';
  if (kind === undefined || offerId === '') return;

  const group = defs.offers.get(offerId)?.group;
  if (kind === 'converted' || kind === 'dismissed') {
    const contact = contactOf(store, profileId);
    const contactKind = kind === 'converted' ? 'conversion' : 'dismissal';
    recordContact(contact, { kind: contactKind, offerId, group, atMs });
    saveContact(store, defs, profileId, contact, oldestDecisionMs);
  }

  const stored = decisionId
    ? (store.decisions.get(decisionId) as DecisionRecord | undefined)
    : undefined;
  // Feedback counts only from the person the decision was for.
  const record =
    stored && (!stored.profileId || profileIdNow(store, stored.profileId) === profileId)
      ? stored
      : undefined;
  const shown = record?.offers.find((o) => o.offerId === offerId);
  const before = shown ? { ...shown } : undefined;
  const feedback = { decisionId, offerId, kind, atMs };
  recordFeedback(batch.delta, record, feedback, defs.decisions.learning);
  batch.changed = true;
  if (!record || !shown || !before) return;
  store.decisions.putSync(record.decisionId, record);
  const stats = counters(batch.stats, record.placement, offerId);
  if (shown.viewed && !before.viewed) stats.impressions += 1;
  if (shown.clicked && !before.clicked) stats.clicks += 1;
  if (shown.converted && !before.converted) {
    stats.conversions += 1;
    const value = properties.value;
    // A conversion's value is a non-negative amount, bounded like revenue.
    if (typeof value === 'number' && value >= 0 && value <= AMOUNT_MAX) stats.value += value;
  }
}

/** A profile's offer contact history, empty when it has none. */
export function contactOf(store: PulseStore, profileId: string): ContactState {
  return (store.contacts.get(profileId) as ContactState | undefined) ?? createContactState();
}

/**
 * Stores a contact history without what no decision can see any more
 * (impressions older than the longest cap window, finished cool-downs), so
 * it stays as small as the rules allow.
 */
function saveContact(
  store: PulseStore,
  defs: Definitions,
  profileId: string,
  contact: ContactState,
  oldestDecisionMs: number,
): void {
  pruneContactState(contact, defs.decisions.contact, oldestDecisionMs);
  const empty = Object.keys(contact.offers).length + Object.keys(contact.groups).length === 0;
  if (empty) store.contacts.removeSync(profileId);
  else store.contacts.putSync(profileId, contact);
}

/** Most merges followed from a decision's profile id, as `findProfile` follows them. */
const MAX_MERGE_HOPS = 64;

/**
 * The profile a decision's profile id names now (it may have been merged
 * since): `findProfile`'s walk, without decoding the profile it ends at.
 */
function profileIdNow(store: PulseStore, profileId: string): string {
  let id: string | undefined = profileId;
  for (let hop = 0; id !== undefined && hop <= MAX_MERGE_HOPS; hop += 1) {
    if (store.profiles.doesExist(id)) return id;
    // A merged-away id links to the profile that absorbed it.
    id = store.profileIdOf(PROFILE_ID_TYPE, id);
  }
  return profileId;
}

/** Forgets decisions whose attribution window closed before `cutoffMs`; returns how many. */
export function pruneDecisions(store: PulseStore, cutoffMs: number, maxEntries = 10_000): number {
  let pruned = 0;
  for (const key of store.decisionsByTime.getKeys({ end: [cutoffMs, ''], limit: maxEntries })) {
    store.decisions.removeSync(key[1]);
    store.decisionsByTime.removeSync(key);
    pruned += 1;
  }
  return pruned;
}
