import { Kvm } from '@nats-io/kv';
import type { KV, KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Lease, PartitionTable } from './partition-table.js';

/** Leases and engine heartbeats, one key each. */
export const PARTITION_BUCKET = 'PULSE_PARTITIONS';

/** Settings fixed once per installation (the partition count). */
export const INSTALLATION_BUCKET = 'PULSE_INSTALLATION';

/** Thrown when this engine cannot join: another partition count, or its name taken. */
export class PartitionCountError extends Error {
  override name = 'PartitionCountError';
}

/** What the lease loop calls back into. */
export interface LeaseOptions {
  nc: NatsConnection;
  table: PartitionTable;
  leaseMs: number;
  logger: Logger;
  /** The partitions LMDB holds from before (a restart on the same volume). */
  held: readonly number[];
  appliedSequence(): number;
  /**
   * Builds newly claimed partitions; transitions up to `publishAfterSeq`
   * were their previous owner's. `own` must be called with them as soon as
   * their state is in place, before any later event is applied; it adds to
   * the table those whose lease is still held.
   */
  build(
    partitions: number[],
    publishAfterSeq: number,
    own: (built: readonly number[]) => void,
  ): Promise<void>;
  /** Gives up partitions (another engine owns them now or is preferred). */
  release(partitions: number[]): void;
  /** Called when leases cannot be read or renewed for longer than a lease. */
  onError(err: unknown): void;
}

/** The running lease loop. */
export interface PartitionLeases {
  /** Stops renewing; leases lapse after the lease time unless renewed by a restart. */
  stop(): Promise<void>;
}

interface MemberBeat {
  appliedSeq: number;
}

/**
 * Makes the partition count the installation's (set by the first engine),
 * or throws PartitionCountError when it differs.
 */
export async function checkPartitionCount(nc: NatsConnection, count: number): Promise<void> {
  const kv = await new Kvm(nc).create(INSTALLATION_BUCKET, { history: 1 });
  const existing = await kv.get('partitions');
  if (existing && existing.operation === 'PUT') {
    const installed = Number(existing.string());
    if (installed !== count) {
      throw new PartitionCountError(
        `PULSE_PARTITIONS is ${count} but this installation has ${installed} partitions; ` +
          'the count is set once per installation',
      );
    }
    return;
  }
  await kv.create('partitions', String(count)).catch(async () => {
    // Another engine set it first: it must agree.
    await checkPartitionCount(nc, count);
  });
}

/**
 * Refuses to start a second engine under a live engine's name: its
 * heartbeat, when recent, must not move over one renewal period (that of a
 * crashed predecessor does not). Call before touching the durable consumer,
 * which shares the name.
 */
export async function checkNameFree(
  nc: NatsConnection,
  name: string,
  leaseMs: number,
): Promise<void> {
  const kv = await new Kvm(nc).create(PARTITION_BUCKET, { history: 1 });
  const first = await kv.get(memberKey(name));
  if (!first || first.operation !== 'PUT' || Date.now() - createdMs(first) > leaseMs) return;
  await new Promise((resolve) => setTimeout(resolve, Math.floor(leaseMs / 3) + 500));
  const second = await kv.get(memberKey(name));
  if (second && second.operation === 'PUT' && second.revision !== first.revision) {
    throw new PartitionCountError(
      `an engine named '${name}' is running (its heartbeat in ${PARTITION_BUCKET} moves); ` +
        'PULSE_CONSUMER_NAME must be unique',
    );
  }
}

/**
 * Owns partitions through leases in NATS KV. Every tick (a third of the
 * lease) it renews this engine's heartbeat and leases, and claims the free
 * or lapsed partitions that rendezvous hashing gives to it among the live
 * engines; it releases a built partition once another live engine is
 * preferred for it. A claim is a compare-and-set on the lease's revision, so
 * two engines never both win one.
 */
export async function startPartitionLeases(options: LeaseOptions): Promise<PartitionLeases> {
  const { table, leaseMs } = options;
  const log = options.logger.child({ component: 'partition-leases', engine: table.self });
  const kv = await new Kvm(options.nc).create(PARTITION_BUCKET, { history: 1 });
  const tickMs = Math.max(50, Math.floor(leaseMs / 3));
  /** Claimed here: built (in the table) or being built. */
  const claimed = new Map<number, number>();
  /** When each other engine was first seen alive in a row. */
  const aliveSince = new Map<string, number>();
  let building: Promise<void> | undefined;
  let stopped = false;
  let lastGoodMs = Date.now();
  let firstTick = true;
  // Engines starting together learn of each other before claiming, so that
  // partitions go to their preferred engine at once instead of moving twice.
  const claimFromMs = Date.now() + leaseMs;

  const tick = async () => {
    await kv.put(memberKey(table.self), JSON.stringify({ appliedSeq: options.appliedSequence() }));
    const nowMs = Date.now();
    const { leases, members } = await readBucket(kv);
    const alive = [...members.entries()]
      .filter(([, m]) => nowMs - m.atMs <= leaseMs)
      .map(([id]) => id);
    if (!alive.includes(table.self)) alive.push(table.self);
    for (const id of [...aliveSince.keys()]) if (!alive.includes(id)) aliveSince.delete(id);
    for (const id of alive) if (!aliveSince.has(id)) aliveSince.set(id, nowMs);

    if (firstTick) {
      firstTick = false;
      await resumeHeld(leases, nowMs);
    }
    // Renew what is ours; a lease someone else now holds is lost.
    const lost: number[] = [];
    for (const p of [...claimed.keys()]) {
      const entry = leases.get(p);
      const next = leaseValue(table.self, table.ownsPartition(p));
      // Our last write's revision: a renewal after it by anyone else would name them.
      const renewed =
        entry?.lease.owner === table.self ? await update(kv, p, next, claimed.get(p)!) : undefined;
      if (renewed === undefined) lost.push(p);
      else {
        claimed.set(p, renewed);
        leases.set(p, {
          lease: { ...entry!.lease, ready: table.ownsPartition(p) },
          revision: renewed,
        });
      }
    }
    if (lost.length > 0) {
      log.warn({ partitions: lost }, 'partition leases lost to another engine');
      for (const p of lost) claimed.delete(p);
      table.remove(lost);
      options.release(lost);
    }

    const toClaim: number[] = [];
    let publishAfterSeq = options.appliedSequence();
    const toRelease: number[] = [];
    const assignment = assignPartitions(table.count, alive);
    for (let p = 0; p < table.count; p += 1) {
      const preferred = assignment.get(p)!;
      if (claimed.has(p)) {
        const settled = nowMs - (aliveSince.get(preferred) ?? nowMs) >= 2 * tickMs;
        if (preferred !== table.self && settled && table.ownsPartition(p) && !building) {
          toRelease.push(p);
        }
        continue;
      }
      const lease = leases.get(p)?.lease;
      if (nowMs < claimFromMs) continue;
      if (preferred !== table.self || (lease && table.isLive(lease, nowMs))) continue;
      const revision = await claim(kv, p, table.self, leases.get(p)?.revision);
      if (revision === undefined) continue;
      claimed.set(p, revision);
      toClaim.push(p);
      const previous = lease ? members.get(lease.owner)?.beat.appliedSeq : undefined;
      if (previous !== undefined) publishAfterSeq = Math.min(publishAfterSeq, previous);
    }
    if (toRelease.length > 0) {
      log.info({ partitions: toRelease }, 'handing partitions to their preferred engine');
      table.remove(toRelease);
      options.release(toRelease);
      for (const p of toRelease) {
        claimed.delete(p);
        await kv.delete(leaseKey(p));
      }
    }
    table.setLeases(new Map([...leases].map(([p, l]) => [p, l.lease])));
    if (toClaim.length > 0) startBuild(toClaim, publishAfterSeq);
  };

  /** Partitions LMDB still holds are kept without a rebuild when nobody took them. */
  const resumeHeld = async (leases: Map<number, LeaseEntry>, nowMs: number) => {
    const kept: number[] = [];
    const gone: number[] = [];
    for (const p of options.held) {
      const entry = leases.get(p);
      const free = !entry || entry.lease.owner === table.self || !table.isLive(entry.lease, nowMs);
      const revision = free ? await claim(kv, p, table.self, entry?.revision) : undefined;
      if (revision === undefined) gone.push(p);
      else {
        claimed.set(p, revision);
        leases.set(p, {
          lease: { owner: table.self, ready: false, renewedAtMs: nowMs },
          revision,
        });
        kept.push(p);
      }
    }
    table.add(kept);
    if (gone.length > 0) options.release(gone);
    if (options.held.length > 0) {
      // `kept` still depends on the first renewal: a lease that lapsed meanwhile may be lost.
      log.info(
        { kept, gone },
        'partitions LMDB held before the restart, claimed again or given up',
      );
    }
  };

  const startBuild = (partitions: number[], publishAfterSeq: number) => {
    const previous = building ?? Promise.resolve();
    building = previous
      .then(() =>
        options.build(partitions, publishAfterSeq, (built) => {
          table.add(built.filter((p) => claimed.has(p)));
          // A lease lost while building: its copied state goes again at once.
          const lost = built.filter((p) => !claimed.has(p));
          if (lost.length > 0) options.release(lost);
        }),
      )
      .then(() => {
        const still = partitions.filter((p) => claimed.has(p));
        log.info({ partitions: still }, 'partitions built and served');
        // Tell the other engines now rather than at the next renewal.
        runTick();
      })
      .catch((err: unknown) => {
        log.error({ err, partitions }, 'building partitions failed; giving them up');
        for (const p of partitions) {
          claimed.delete(p);
          void kv.delete(leaseKey(p)).catch(() => undefined);
        }
      })
      .finally(() => (building = undefined));
  };

  let timer: NodeJS.Timeout | undefined;
  // Ticks run one at a time: a renewal never races another with a stale revision.
  let running: Promise<void> = Promise.resolve();
  const runTick = () => {
    clearTimeout(timer);
    running = running
      .then(tick)
      .then(() => void (lastGoodMs = Date.now()))
      .catch((err: unknown) => {
        log.warn({ err }, 'partition leases could not be renewed');
        if (Date.now() - lastGoodMs > leaseMs) options.onError(err);
      })
      .finally(() => {
        clearTimeout(timer);
        if (!stopped) timer = setTimeout(runTick, tickMs);
      });
  };
  await tick();
  lastGoodMs = Date.now();
  timer = setTimeout(runTick, tickMs);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => undefined);
      await building?.catch(() => undefined);
    },
  };
}

interface LeaseEntry {
  lease: Lease;
  revision: number;
}

async function readBucket(kv: KV): Promise<{
  leases: Map<number, LeaseEntry>;
  members: Map<string, { atMs: number; beat: MemberBeat }>;
}> {
  const leases = new Map<number, LeaseEntry>();
  const members = new Map<string, { atMs: number; beat: MemberBeat }>();
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  const entries = await Promise.all(keys.map((key) => kv.get(key)));
  for (const entry of entries) {
    if (!entry || entry.operation !== 'PUT') continue;
    if (entry.key.startsWith('lease.')) {
      const value = entry.json<{ owner: string; ready: boolean }>();
      leases.set(Number(entry.key.slice('lease.'.length)), {
        lease: { owner: value.owner, ready: value.ready, renewedAtMs: createdMs(entry) },
        revision: entry.revision,
      });
    } else if (entry.key.startsWith('member.')) {
      members.set(entry.key.slice('member.'.length), {
        atMs: createdMs(entry),
        beat: entry.json<MemberBeat>(),
      });
    }
  }
  return { leases, members };
}

/**
 * Which live engine each partition goes to: in partition order, the engine
 * rendezvous hashing ranks highest among those still below an even share
 * (the count divided by the engines, rounded up). Every engine computes the
 * same map from the same engines; one engine joining or leaving moves few
 * partitions besides its own share.
 */
export function assignPartitions(count: number, engines: readonly string[]): Map<number, string> {
  const assignment = new Map<number, string>();
  if (engines.length === 0) return assignment;
  const share = Math.ceil(count / engines.length);
  const load = new Map(engines.map((e) => [e, 0]));
  for (let p = 0; p < count; p += 1) {
    const ranked = [...engines].sort(
      (a, b) => fnv1a(`${p}:${b}`) - fnv1a(`${p}:${a}`) || (a < b ? -1 : a > b ? 1 : 0),
    );
    const engine = ranked.find((e) => load.get(e)! < share)!;
    load.set(engine, load.get(engine)! + 1);
    assignment.set(p, engine);
  }
  return assignment;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // A final mix, so engine names that differ in one character spread out.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}

function createdMs(entry: KvEntry): number {
  return entry.created.getTime();
}

function leaseKey(partition: number): string {
  return `lease.${partition}`;
}

function memberKey(engine: string): string {
  return `member.${engine}`;
}

function leaseValue(owner: string, ready: boolean): string {
  return JSON.stringify({ owner, ready });
}

/** Takes a lease: free (create) or lapsed (compare-and-set on its revision). */
async function claim(
  kv: KV,
  partition: number,
  owner: string,
  revision: number | undefined,
): Promise<number | undefined> {
  const value = leaseValue(owner, false);
  try {
    return revision === undefined
      ? await kv.create(leaseKey(partition), value)
      : await kv.update(leaseKey(partition), value, revision);
  } catch {
    return undefined;
  }
}

async function update(
  kv: KV,
  partition: number,
  value: string,
  revision: number,
): Promise<number | undefined> {
  try {
    return await kv.update(leaseKey(partition), value, revision);
  } catch {
    return undefined;
  }
}
