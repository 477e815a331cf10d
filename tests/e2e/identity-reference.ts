/**
 * A brute-force model of the documented identity rules, for tests to replay
 * events through in event-time order and compare with the engine: one
 * user_id per profile at most, anonymous_id and device_id shared (the last
 * identified user of a device takes them, and absorbs the anonymous profiles
 * the event names), priority user_id, email, phone, device_id, anonymous_id.
 * It keeps plain sets and counts, nothing more.
 */

/** An identifier as `type:value`. */
export type IdentifierKey = string;

/** What the model needs of one event. */
export interface ReferenceEvent {
  /** `[type, value]` pairs the collector reads from the call (previousId aside). */
  identifiers: [string, string][];
  /** An alias's previousId, typed by what is known when it is applied. */
  previousId?: string;
  /** The revenue of an 'Order Completed'; absent for other events. */
  revenue?: number;
}

/** One profile of the model. */
export interface ReferenceProfile {
  identifiers: Set<IdentifierKey>;
  orders: number;
  spend: number;
}

const PRIORITY = ['user_id', 'email', 'phone', 'device_id', 'anonymous_id'];
const SHARED = new Set(['device_id', 'anonymous_id']);

const keyOf = (type: string, value: string): IdentifierKey => `${type}:${value}`;
const typeOf = (key: IdentifierKey): string => key.slice(0, key.indexOf(':'));
const rank = (key: IdentifierKey) => {
  const index = PRIORITY.indexOf(typeOf(key));
  return index < 0 ? PRIORITY.length : index;
};

/** The identity graph of the model, fed one event at a time. */
export class IdentityReference {
  private readonly owners = new Map<IdentifierKey, ReferenceProfile>();
  /** Events whose identifiers named two users' profiles. */
  conflicts = 0;

  apply(event: ReferenceEvent): void {
    const keys = this.eventKeys(event);
    const owners = [...new Set(keys.flatMap((k) => this.owners.get(k) ?? []))];
    const users = new Set(
      [...owners.flatMap((p) => [...p.identifiers]), ...keys].filter(
        (k) => typeOf(k) === 'user_id',
      ),
    );
    const profile = users.size > 1 ? this.attribute(keys) : this.merge(owners);
    for (const key of keys) if (!this.owners.has(key)) this.link(key, profile);
    if (event.revenue !== undefined) {
      profile.orders += 1;
      profile.spend += event.revenue;
    }
  }

  /** The profile an identifier names, if any. */
  profileOf(key: IdentifierKey): ReferenceProfile | undefined {
    return this.owners.get(key);
  }

  /** Profiles still named by at least one identifier (the ones lookups can reach). */
  profiles(): ReferenceProfile[] {
    return [...new Set(this.owners.values())];
  }

  private eventKeys(event: ReferenceEvent): IdentifierKey[] {
    const keys = event.identifiers.map(([type, value]) => keyOf(type, value));
    if (event.previousId !== undefined) {
      const asAnonymous = keyOf('anonymous_id', event.previousId);
      const asUser = keyOf('user_id', event.previousId);
      const known = !this.owners.has(asAnonymous) && this.owners.has(asUser);
      keys.push(known ? asUser : asAnonymous);
    }
    return [...new Set(keys)].sort((a, b) => rank(a) - rank(b));
  }

  /** No limit is broken: every profile named becomes one. */
  private merge(owners: ReferenceProfile[]): ReferenceProfile {
    const [survivor, ...others] = owners;
    if (!survivor) return { identifiers: new Set(), orders: 0, spend: 0 };
    for (const other of others) {
      for (const key of other.identifiers) this.link(key, survivor);
      survivor.orders += other.orders;
      survivor.spend += other.spend;
    }
    return survivor;
  }

  /**
   * A limit is broken: the event goes to its own user's profile, which
   * absorbs the other profiles named when that keeps one user_id, and takes
   * the event's shared identifiers from the rest. Without a user_id, the
   * event goes to the profile of its highest-priority known identifier.
   */
  private attribute(keys: IdentifierKey[]): ReferenceProfile {
    this.conflicts += 1;
    const own = keys.find((k) => typeOf(k) === 'user_id');
    if (own === undefined) return this.owners.get(keys.find((k) => this.owners.has(k))!)!;
    const profile = this.owners.get(own) ?? { identifiers: new Set(), orders: 0, spend: 0 };
    const unknown = keys.filter((k) => !this.owners.has(k));
    for (const key of keys) {
      const owner = this.owners.get(key);
      if (!owner || owner === profile) continue;
      const together = [...profile.identifiers, ...owner.identifiers, ...unknown];
      if (new Set(together.filter((k) => typeOf(k) === 'user_id')).size <= 1) {
        this.merge([profile, owner]);
      } else if (SHARED.has(typeOf(key))) {
        this.link(key, profile);
      }
    }
    return profile;
  }

  private link(key: IdentifierKey, profile: ReferenceProfile): void {
    this.owners.get(key)?.identifiers.delete(key);
    this.owners.set(key, profile);
    profile.identifiers.add(key);
  }
}
