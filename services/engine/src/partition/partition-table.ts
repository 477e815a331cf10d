import type { Ownership } from './ownership.js';
import { partitionOf } from './ownership.js';

/** A partition's lease as last read from NATS KV. */
export interface Lease {
  owner: string;
  /** The owner has built the partition and serves it. */
  ready: boolean;
  /** Server time of the last renewal, in ms. */
  renewedAtMs: number;
}

/** Where a call about a profile is answered. */
export type Route =
  | { kind: 'local' }
  | { kind: 'remote'; engineId: string; partition: number }
  | { kind: 'unowned'; partition: number };

/**
 * The partitions this engine applies and serves, and who owns the others,
 * as the lease loop last saw them. Calls for profiles in partitions owned
 * elsewhere are forwarded to the owner.
 */
export class PartitionTable implements Ownership {
  private readonly owned = new Set<number>();
  private leases = new Map<number, Lease>();

  constructor(
    readonly count: number,
    readonly self: string,
    private readonly leaseMs: number,
  ) {}

  owns(profileId: string): boolean {
    return this.owned.has(partitionOf(profileId, this.count));
  }

  ownsPartition(partition: number): boolean {
    return this.owned.has(partition);
  }

  /** Partitions built here and served, ascending. */
  ownedPartitions(): number[] {
    return [...this.owned].sort((a, b) => a - b);
  }

  add(partitions: Iterable<number>): void {
    for (const p of partitions) this.owned.add(p);
  }

  remove(partitions: Iterable<number>): void {
    for (const p of partitions) this.owned.delete(p);
  }

  /** Replaces the view of every lease (from one read of the bucket). */
  setLeases(leases: Map<number, Lease>): void {
    this.leases = leases;
  }

  /** A lease that has not been renewed within the lease time is void. */
  isLive(lease: Lease | undefined, nowMs = Date.now()): boolean {
    return lease !== undefined && nowMs - lease.renewedAtMs <= this.leaseMs;
  }

  route(profileId: string): Route {
    const partition = partitionOf(profileId, this.count);
    if (this.owned.has(partition)) return { kind: 'local' };
    // A lapsed lease still names the likeliest owner: a late renewal is more
    // common than a death, and a dead owner's silence costs only the deadline.
    const lease = this.leases.get(partition);
    if (!lease || !lease.ready || lease.owner === this.self) {
      return { kind: 'unowned', partition };
    }
    return { kind: 'remote', engineId: lease.owner, partition };
  }

  /**
   * The engines serving every partition (this one included when it owns
   * any) with the partitions each serves, or the first partition nobody
   * serves.
   */
  servingEngines(): { engines: Map<string, number[]> } | { unowned: number } {
    const engines = new Map<string, number[]>();
    const add = (engine: string, p: number) =>
      engines.set(engine, [...(engines.get(engine) ?? []), p]);
    for (let p = 0; p < this.count; p += 1) {
      if (this.owned.has(p)) {
        add(this.self, p);
        continue;
      }
      const lease = this.leases.get(p);
      if (!lease || !lease.ready || lease.owner === this.self) return { unowned: p };
      add(lease.owner, p);
    }
    return { engines };
  }
}
