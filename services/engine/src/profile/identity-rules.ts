/** How the engine treats one identifier type when it resolves profiles. */
export interface IdentifierRule {
  /** Most distinct values of this type one profile may hold; unlimited when absent. */
  limit?: number;
  /**
   * A shared device's identifier: when an event cannot merge because of a
   * limit, it moves to the profile of the event's own limited identifier
   * (the last identified user of a device wins).
   */
  followsLastUser?: boolean;
}

/** The identity rules, per identifier type; types not listed have none. */
export const IDENTIFIER_RULES: Readonly<Record<string, IdentifierRule>> = {
  user_id: { limit: 1 },
  anonymous_id: { followsLastUser: true },
  device_id: { followsLastUser: true },
};

/** Identifier types in the order that decides which profile an event joins. */
export const TYPE_PRIORITY = ['user_id', 'email', 'phone', 'device_id', 'anonymous_id'];

/** An identifier as `[type, value]`. */
export type IdentifierPair = readonly [string, string];

/**
 * True when a profile holding all `pairs` would break a per-type limit
 * (for example two different user_ids).
 */
export function breaksLimit(pairs: Iterable<IdentifierPair>): boolean {
  const valuesByType = new Map<string, Set<string>>();
  for (const [type, value] of pairs) {
    const limit = IDENTIFIER_RULES[type]?.limit;
    if (limit === undefined) continue;
    let values = valuesByType.get(type);
    if (!values) valuesByType.set(type, (values = new Set()));
    values.add(value);
    if (values.size > limit) return true;
  }
  return false;
}

/** True when the identifier type has a per-profile limit. */
export function isLimited(type: string): boolean {
  return IDENTIFIER_RULES[type]?.limit !== undefined;
}

/** True when the identifier type follows the last identified user of a device. */
export function followsLastUser(type: string): boolean {
  return IDENTIFIER_RULES[type]?.followsLastUser === true;
}
