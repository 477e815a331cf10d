import { createContactState, mergeContactStates, recordContact } from '@pulse/learning';
import type { Contact, ContactState } from '@pulse/learning';

/**
 * Impressions of decisions this engine made that the raw stream has not
 * brought back yet. Decide adds them to the profile's stored contact
 * history, so a cap holds for the very next call, and drops them once the
 * decision is applied from the stream (then they are in LMDB).
 */
/** Most decisions kept pending; past it the oldest are dropped (the stream is then far behind). */
const MAX_PENDING = 100_000;

export class PendingContacts {
  private readonly byProfile = new Map<string, Map<string, Contact[]>>();
  private readonly profileOf = new Map<string, string>();

  add(profileId: string, decisionId: string, contacts: Contact[]): void {
    if (profileId === '' || contacts.length === 0) return;
    let decisions = this.byProfile.get(profileId);
    if (!decisions) this.byProfile.set(profileId, (decisions = new Map()));
    decisions.set(decisionId, contacts);
    this.profileOf.set(decisionId, profileId);
    if (this.profileOf.size > MAX_PENDING) this.applied(this.profileOf.keys().next().value!);
  }

  /** The decision is in LMDB now; its impressions count from there. */
  applied(decisionId: string): void {
    const profileId = this.profileOf.get(decisionId);
    if (profileId === undefined) return;
    this.profileOf.delete(decisionId);
    const decisions = this.byProfile.get(profileId);
    decisions?.delete(decisionId);
    if (decisions?.size === 0) this.byProfile.delete(profileId);
  }

  /** The stored history with this profile's pending impressions added (a copy when any). */
  withPending(profileId: string, stored: ContactState | undefined): ContactState {
    const base = stored ?? createContactState();
    const decisions = this.byProfile.get(profileId);
    if (!decisions) return base;
    const pending = createContactState();
    for (const contacts of decisions.values()) {
      for (const contact of contacts) recordContact(pending, contact);
    }
    // The stored state is left as read: it may be a cached value of LMDB's.
    const copy = { offers: { ...base.offers }, groups: { ...base.groups } };
    return mergeContactStates(copy, pending);
  }

  get size(): number {
    return this.profileOf.size;
  }
}
