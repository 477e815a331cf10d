/**
 * Which profiles this engine applies and serves. Every engine resolves
 * identity for every event (the identity map is replicated); only the owner
 * of a profile's partition keeps its traits, features and audiences.
 */
export interface Ownership {
  /** Partitions in the installation; 1 when engines are not partitioned. */
  readonly count: number;
  owns(profileId: string): boolean;
  /**
   * Whether merging `absorbedId` into `survivorId` sends the absorbed state
   * on the stream. @default when it owns the absorbed profile but not the survivor
   */
  exportsMerge?(absorbedId: string, survivorId: string): boolean;
}

/** {@link Ownership.exportsMerge}, or its default. */
export function exportsMerge(
  ownership: Ownership,
  absorbedId: string,
  survivorId: string,
): boolean {
  if (ownership.exportsMerge) return ownership.exportsMerge(absorbedId, survivorId);
  return ownership.owns(absorbedId) && !ownership.owns(survivorId);
}

/**
 * The ownership of a rebuild: every profile's state is computed, as by an
 * engine that owns them all, so that merges within the old owner come out
 * the same; merges from the rebuilt partitions into others send the state
 * again (receivers drop a copy they already folded in).
 */
export function rebuildOwnership(count: number, partitions: Iterable<number>): Ownership {
  const rebuilt = new Set(partitions);
  const inRebuilt = (profileId: string) => rebuilt.has(partitionOf(profileId, count));
  return {
    count,
    owns: () => true,
    exportsMerge: (absorbedId, survivorId) => inRebuilt(absorbedId) && !inRebuilt(survivorId),
  };
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
