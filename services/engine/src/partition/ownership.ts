/**
 * Which profiles this engine applies and serves. Every engine resolves
 * identity for every event (the identity map is replicated); only the owner
 * of a profile's partition keeps its traits, features and audiences.
 */
export interface Ownership {
  /** Partitions in the installation; 1 when engines are not partitioned. */
  readonly count: number;
  owns(profileId: string): boolean;
}

/** An engine that owns every profile: one partition, or a full replica. */
export const OWN_ALL: Ownership = Object.freeze({ count: 1, owns: () => true });

/** Ownership of a fixed set of partitions (a rebuild, a test). */
export function ownPartitions(count: number, partitions: Iterable<number>): Ownership {
  const owned = new Set(partitions);
  return { count, owns: (profileId) => owned.has(partitionOf(profileId, count)) };
}

/**
 * The partition of a profile id: FNV-1a over its UTF-16 code units, modulo
 * the partition count. Stable across processes and releases; changing it
 * would move every profile.
 */
export function partitionOf(profileId: string, count: number): number {
  if (count === 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < profileId.length; i += 1) {
    hash ^= profileId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % count;
}
