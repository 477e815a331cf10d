import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { PulseStore } from '@pulse/store';
import type { Logger } from 'pino';
import type { RecheckPolicy } from '../audience/update-audiences.js';
import { createClock } from '../clock.js';
import type { ClockMode } from '../clock.js';
import { LearningRuntime } from '../decision/learning-state.js';
import type { Definitions } from '../definitions.js';
import { applyBatch } from '../ingest/apply-batch.js';
import type { StreamMessage } from '../ingest/apply-batch.js';
import { copyMergedStateMarks } from './merged-state.js';
import { fromBinary } from '@bufbuild/protobuf';
import { AudienceTransitionSchema } from '@pulse/proto';
import { partitionOf, rebuildOwnership } from './ownership.js';
import { copyPartitions, readHeld, writeHeld } from './partition-data.js';

/** Messages applied per transaction while rebuilding. */
const REBUILD_BATCH = 250;

/** How long one pull waits for messages the stream does not hold yet. */
const FETCH_EXPIRES_MS = 1_000;

/** The live engine a rebuild catches up with. */
export interface LiveApplier {
  store: PulseStore;
  stream: string;
  appliedSequence(): number;
  /** Holds the live consumer between batches; `resume` lets it go on. */
  pause(): void;
  resume(): void;
}

/** What a rebuild works with. */
export interface RebuildRequest {
  nc: NatsConnection;
  live: LiveApplier;
  /** Folder for the scratch store (removed afterwards). */
  scratchDir: string;
  definitions: () => Definitions;
  clockMode: ClockMode;
  recheck: RecheckPolicy;
  count: number;
  partitions: readonly number[];
  /**
   * Transitions caused by events up to this sequence were the previous
   * owner's to publish; later ones are published by this engine.
   */
  publishAfterSeq: number;
  logger: Logger;
  signal?: AbortSignal;
  /**
   * Called right after the copy commits, while the live consumer is still
   * held: the partitions must be owned before the next live batch, or its
   * events for them would be applied as another engine's.
   */
  onCopied(partitions: readonly number[]): void;
}

/**
 * Builds the state of `partitions` by replaying the raw stream from its
 * start into a scratch LMDB that computes every profile, as one engine
 * owning them all would (so merges the previous owner did within itself
 * come out the same), up to the live engine's applied sequence, then copies
 * the rebuilt partitions' profiles and the merged-state marks into the live
 * store in one transaction while the live consumer is held.
 */
export async function rebuildPartitions(request: RebuildRequest): Promise<number> {
  const { live, count, partitions } = request;
  const log = request.logger.child({ component: 'partition-rebuild', partitions });
  const dir = join(request.scratchDir, `rebuild-${partitions.join('-')}-${Date.now()}`);
  const scratch = PulseStore.open({ path: dir });
  const defs = request.definitions();
  const ctx = {
    store: scratch,
    stream: live.stream,
    definitions: request.definitions,
    clock: createClock(request.clockMode),
    recheck: request.recheck,
    logger: log,
    learning: LearningRuntime.load(scratch, defs.decisions.learning),
    ownership: rebuildOwnership(count, partitions),
  };
  const buffered: StreamMessage[] = [];
  const js = jetstream(request.nc);
  // An ordered consumer, pulled a chunk at a time: memory stays bounded
  // however long the stream.
  const consumer = await js.consumers.get(live.stream, { opt_start_seq: 1 });
  const fetchMore = async (wanted: number) => {
    const messages = await consumer.fetch({ max_messages: wanted, expires: FETCH_EXPIRES_MS });
    for await (const m of messages) buffered.push({ seq: m.seq, data: m.data });
  };
  let applied = 0;
  let paused = false;
  try {
    for (;;) {
      if (request.signal?.aborted) throw new Error('partition rebuild aborted');
      // Never past the live engine: the copy must meet it at one sequence.
      const limit = live.appliedSequence();
      if (applied >= limit) {
        if (paused) break;
        live.pause();
        paused = true;
        continue;
      }
      if (buffered.length === 0) await fetchMore(Math.min(REBUILD_BATCH, limit - applied));
      const batch = takeUpTo(buffered, limit, REBUILD_BATCH);
      if (batch.length === 0) continue;
      applyBatch(ctx, batch);
      applied = batch[batch.length - 1]!.seq;
      // Transitions the previous owner already published are not sent twice.
      if (applied <= request.publishAfterSeq) dropTransitions(scratch);
      if (!paused) await new Promise((resolve) => setImmediate(resolve));
    }
    const owned = new Set(partitions);
    const copied = live.store.transaction(() => {
      const n = copyPartitions(scratch, live.store, count, owned);
      copyMergedStateMarks(scratch, live.store, (id) => owned.has(partitionOf(id, count)));
      for (const { subject, message } of scratch.pendingOutbox(Number.MAX_SAFE_INTEGER)) {
        if (publishable(subject, message, count, owned)) live.store.appendOutbox(subject, message);
      }
      const held = readHeld(live.store)?.partitions ?? [];
      writeHeld(live.store, { count, partitions: [...new Set([...held, ...partitions])] });
      return n;
    });
    request.onCopied(partitions);
    log.info({ seq: applied, profiles: copied }, 'partitions rebuilt from the stream');
    return applied;
  } finally {
    if (paused) live.resume();
    await consumer.delete().catch(() => undefined);
    await scratch.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Removes and returns the buffered messages up to `limit`, at most `max`. */
function takeUpTo(buffered: StreamMessage[], limit: number, max: number): StreamMessage[] {
  let n = 0;
  while (n < buffered.length && n < max && buffered[n]!.seq <= limit) n += 1;
  return buffered.splice(0, n);
}

/**
 * What the rebuild queued that this engine publishes: merged states sent
 * again (receivers drop those they have), and the audience transitions of
 * the rebuilt partitions' profiles; the scratch store computed every
 * profile, and the others' transitions and profile notices are their
 * owners' to send.
 */
function publishable(
  subject: string,
  message: Uint8Array,
  count: number,
  partitions: ReadonlySet<number>,
): boolean {
  if (subject.startsWith('pulse.raw.')) return true;
  if (!subject.startsWith('pulse.audience.')) return false;
  const { profileId } = fromBinary(AudienceTransitionSchema, message);
  return partitions.has(partitionOf(profileId, count));
}

/** Drops the scratch store's queued audience transitions, keeping merged states. */
function dropTransitions(store: PulseStore): void {
  const done = store
    .pendingOutbox(Number.MAX_SAFE_INTEGER)
    .filter(({ subject }) => !subject.startsWith('pulse.raw.'))
    .map(({ id }) => id);
  if (done.length > 0) store.transaction(() => store.ackOutbox(done));
}
