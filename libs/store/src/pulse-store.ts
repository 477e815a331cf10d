import { statSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import type { Database, RootDatabase, Transaction } from 'lmdb';
import { identityKey, memberKey, memberRange, profileIdOfMemberKey } from './keys.js';
import type { ProfileRecord } from './records.js';

/** Options for {@link PulseStore.open}. */
export interface PulseStoreOptions {
  /** Directory of the LMDB environment; created when missing. */
  path: string;
  /**
   * Initial size of the memory map (address space, not disk). lmdb-js grows
   * the map on its own when a write needs more, so this never needs raising
   * by hand; a large value only avoids remapping as the store grows.
   * @default 64 GiB
   */
  mapSizeBytes?: number;
}

/** How much room the LMDB environment takes, for `pulse_lmdb_*` metrics. */
export interface StoreSize {
  /** Size of `data.mdb` on disk. */
  fileBytes: number;
  /** Pages up to the highest one in use, times the page size. */
  usedBytes: number;
  /** Current size of the memory map; grows on its own as needed. */
  mapBytes: number;
}

const DEFAULT_MAP_SIZE_BYTES = 64 * 1024 ** 3;

/** Positions key of the last outbox id handed out. */
const OUTBOX_SEQ_KEY = 'outbox-seq';

/**
 * One owner's LMDB environment, with a named database per concern:
 * profiles, identities, audience members, applied stream positions and the
 * message-id dedupe index. Writes happen inside {@link transaction}.
 */
export class PulseStore implements Disposable {
  readonly root: RootDatabase;
  readonly profiles: Database<ProfileRecord, string>;
  /** `type NUL value` → profile id. */
  readonly identities: Database<string, string>;
  /** `audienceId NUL profileId` → true. */
  readonly members: Database<true, string>;
  /** Stream name (or a clock name) → last applied sequence (or ms). */
  readonly positions: Database<number, string>;
  /** message id → event time (ms) it was applied with. */
  readonly dedupe: Database<number, string>;
  /** `[appliedAtMs, messageId]` → true, to prune the dedupe index by age. */
  readonly dedupeByTime: Database<true, [number, string]>;
  /**
   * Messages committed with the state change that caused them (audience
   * transitions), waiting to be published: outbox id → `[subject, bytes]`.
   */
  readonly outbox: Database<[string, Uint8Array], number>;
  /** Small named strings: what the live audience index was built from. */
  readonly meta: Database<string, string>;
  /** `[recheckAtMs, profileId]` → true: profiles whose audiences change with time. */
  readonly rechecks: Database<true, [number, string]>;
  /** `type NUL value` → deletion time (ms): identifiers whose events are dropped. */
  readonly suppressed: Database<number, string>;
  /** Decision id → what feedback needs of it (libs/learning's DecisionRecord). */
  readonly decisions: Database<unknown, string>;
  /** `[decidedAtMs, decisionId]` → true, to drop decisions past their attribution window. */
  readonly decisionsByTime: Database<true, [number, string]>;
  /** Profile id → offer contact history (libs/learning's ContactState). */
  readonly contacts: Database<unknown, string>;
  /** Learned state shared by all profiles: `learner`, `offer-stats`. */
  readonly learning: Database<unknown, string>;

  /** Directory of the environment. */
  readonly path: string;

  private constructor(root: RootDatabase, path: string) {
    this.root = root;
    this.path = path;
    this.profiles = root.openDB({
      name: 'profiles',
      sharedStructuresKey: Symbol.for('structures'),
    });
    this.identities = root.openDB({ name: 'identities', encoding: 'string' });
    this.members = root.openDB({ name: 'members' });
    this.positions = root.openDB({ name: 'positions' });
    this.dedupe = root.openDB({ name: 'dedupe' });
    this.dedupeByTime = root.openDB({ name: 'dedupe-by-time' });
    this.rechecks = root.openDB({ name: 'rechecks' });
    this.meta = root.openDB({ name: 'meta', encoding: 'string' });
    this.outbox = root.openDB({ name: 'outbox' });
    this.suppressed = root.openDB({ name: 'suppressed' });
    // Records keyed by shared structures read about twice as fast as records
    // that carry their own (what values written before this still do: both read).
    this.decisions = root.openDB({
      name: 'decisions',
      sharedStructuresKey: Symbol.for('structures'),
    });
    this.decisionsByTime = root.openDB({ name: 'decisions-by-time' });
    this.learning = root.openDB({ name: 'learning' });
    this.contacts = root.openDB({
      name: 'contacts',
      sharedStructuresKey: Symbol.for('structures'),
    });
  }

  /** Opens (or creates) the environment at `options.path`. */
  static open(options: PulseStoreOptions): PulseStore {
    const root = open({
      path: options.path,
      mapSize: options.mapSizeBytes ?? DEFAULT_MAP_SIZE_BYTES,
      maxDbs: 32,
    });
    return new PulseStore(root, options.path);
  }

  /** Runs `action` in one synchronous write transaction, committed durably. */
  transaction<T>(action: () => T): T {
    return this.root.transactionSync(action);
  }

  /**
   * Runs `action` on this thread in a write transaction that LMDB's writer
   * thread opens and commits, so the event loop does not wait for the commit.
   * `action` runs as a child transaction: when it throws, its writes are
   * rolled back and the promise rejects with the error. Reads elsewhere see
   * the writes once the promise settles.
   */
  transactionAsync<T>(action: () => T): Promise<T> {
    return this.root.childTransaction(action);
  }

  profileIdOf(type: string, value: string): string | undefined {
    return this.identities.get(identityKey(type, value));
  }

  linkIdentifier(type: string, value: string, profileId: string): void {
    this.identities.putSync(identityKey(type, value), profileId);
  }

  unlinkIdentifier(type: string, value: string): void {
    this.identities.removeSync(identityKey(type, value));
  }

  /** Drops later events carrying this identifier (a deletion with suppression). */
  suppress(type: string, value: string, atMs: number): void {
    this.suppressed.putSync(identityKey(type, value), atMs);
  }

  isSuppressed(type: string, value: string): boolean {
    return this.suppressed.doesExist(identityKey(type, value));
  }

  getProfile(profileId: string, snapshot?: Transaction): ProfileRecord | undefined {
    return this.profiles.get(profileId, snapshot && { transaction: snapshot });
  }

  putProfile(record: ProfileRecord): void {
    this.profiles.putSync(record.id, record);
  }

  /** Removes a profile record; its identifiers and index entries are the caller's. */
  deleteProfile(profileId: string): void {
    this.profiles.removeSync(profileId);
  }

  setMember(audienceId: string, profileId: string, member: boolean): void {
    const key = memberKey(audienceId, profileId);
    if (member) this.members.putSync(key, true);
    else this.members.removeSync(key);
  }

  isMember(audienceId: string, profileId: string): boolean {
    return this.members.doesExist(memberKey(audienceId, profileId));
  }

  /** Profile ids in the live index of one audience, in key order. */
  *memberIds(audienceId: string): Generator<string> {
    for (const key of this.members.getKeys(memberRange(audienceId))) {
      yield profileIdOfMemberKey(key);
    }
  }

  /**
   * Up to `limit` members of one audience after `afterId` (from the first
   * when undefined), read through `snapshot` when given.
   */
  memberIdsAfter(
    audienceId: string,
    afterId: string | undefined,
    limit: number,
    snapshot?: Transaction,
  ): string[] {
    const range = memberRange(audienceId);
    const start = afterId === undefined ? range.start : memberKey(audienceId, afterId);
    const options = { ...range, start, limit, exclusiveStart: afterId !== undefined };
    const keys = this.members.getKeys({ ...options, transaction: snapshot });
    return Array.from(keys, profileIdOfMemberKey);
  }

  countMembers(audienceId: string, snapshot?: Transaction): number {
    return this.members.getKeysCount({ ...memberRange(audienceId), transaction: snapshot });
  }

  /**
   * A read transaction: reads through it see the state as it was when it was
   * taken, while writes go on. Call `done()` on it when finished.
   */
  readSnapshot(): Transaction {
    return this.root.useReadTransaction();
  }

  /** The environment's size on disk and in the map; cheap enough for every scrape. */
  size(): StoreSize {
    const stats = this.root.getStats() as {
      pageSize: number;
      lastPageNumber: number;
      mapSize: number;
    };
    return {
      fileBytes: statSync(join(this.path, 'data.mdb')).size,
      usedBytes: (stats.lastPageNumber + 1) * stats.pageSize,
      mapBytes: stats.mapSize,
    };
  }

  /** How many profiles the store holds (a key count, no value is read). */
  countProfiles(): number {
    return this.profiles.getKeysCount();
  }

  /** Every profile id, in key order. */
  profileIds(): Iterable<string> {
    return this.profiles.getKeys();
  }

  /** Up to `limit` profile ids after `afterId` (from the first when undefined). */
  profileIdsAfter(afterId: string | undefined, limit: number): string[] {
    const range = afterId === undefined ? { limit } : { start: afterId, limit: limit + 1 };
    const ids = Array.from(this.profiles.getKeys(range));
    return afterId !== undefined && ids[0] === afterId ? ids.slice(1) : ids.slice(0, limit);
  }

  appliedSequence(stream: string): number {
    return this.positions.get(stream) ?? 0;
  }

  setAppliedSequence(stream: string, seq: number): void {
    this.positions.putSync(stream, seq);
  }

  /** True when `messageId` was applied before, within the dedupe retention. */
  isDuplicate(messageId: string): boolean {
    return this.dedupe.doesExist(messageId);
  }

  rememberMessage(messageId: string, appliedAtMs: number): void {
    this.dedupe.putSync(messageId, appliedAtMs);
    this.dedupeByTime.putSync([appliedAtMs, messageId], true);
  }

  /** Moves a profile's scheduled audience re-check from `fromMs` to `toMs`. */
  scheduleRecheck(profileId: string, fromMs: number | null, toMs: number | null): void {
    if (fromMs === toMs) return;
    if (fromMs !== null) this.rechecks.removeSync([fromMs, profileId]);
    if (toMs !== null) this.rechecks.putSync([toMs, profileId], true);
  }

  /** Profiles whose re-check is due at or before `nowMs`, earliest first. */
  dueRechecks(nowMs: number, limit: number): string[] {
    const keys = this.rechecks.getKeys({ end: [nowMs + 1], limit });
    return Array.from(keys, (key) => key[1]);
  }

  /** Adds a message for `subject` to the outbox in the current transaction; returns its id. */
  appendOutbox(subject: string, message: Uint8Array): number {
    const id = (this.positions.get(OUTBOX_SEQ_KEY) ?? 0) + 1;
    this.positions.putSync(OUTBOX_SEQ_KEY, id);
    this.outbox.putSync(id, [subject, message]);
    return id;
  }

  /** Up to `limit` outbox entries, oldest first. */
  pendingOutbox(limit: number): { id: number; subject: string; message: Uint8Array }[] {
    return Array.from(this.outbox.getRange({ limit }), ({ key, value }) => ({
      id: key,
      subject: value[0],
      message: value[1],
    }));
  }

  /** Removes published outbox entries. */
  ackOutbox(ids: readonly number[]): void {
    for (const id of ids) this.outbox.removeSync(id);
  }

  /** Forgets message ids applied before `cutoffMs`; returns how many. */
  pruneDedupe(cutoffMs: number, maxEntries = 10_000): number {
    let pruned = 0;
    const range = this.dedupeByTime.getKeys({ end: [cutoffMs, ''], limit: maxEntries });
    for (const key of range) {
      this.dedupe.removeSync(key[1]);
      this.dedupeByTime.removeSync(key);
      pruned += 1;
    }
    return pruned;
  }

  close(): Promise<void> {
    return this.root.close();
  }

  [Symbol.dispose](): void {
    void this.close();
  }
}
