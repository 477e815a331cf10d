import { mergeContactStates } from '@pulse/learning';
import type { ContactState } from '@pulse/learning';
import type { PulseStore } from '@pulse/store';

/**
 * Moves the absorbed profile's offer contact history into the survivor's
 * (impressions, conversions and dismissals of both count toward caps and
 * cool-downs), inside the caller's transaction.
 */
export function mergeContacts(store: PulseStore, survivorId: string, absorbedId: string): void {
  const absorbed = store.contacts.get(absorbedId) as ContactState | undefined;
  if (!absorbed) return;
  const survivor = store.contacts.get(survivorId) as ContactState | undefined;
  store.contacts.putSync(survivorId, survivor ? mergeContactStates(survivor, absorbed) : absorbed);
  store.contacts.removeSync(absorbedId);
}
