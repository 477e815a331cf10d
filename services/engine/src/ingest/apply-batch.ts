import { performance } from 'node:perf_hooks';
import {
  DEFAULT_MAX_FUTURE_SKEW_MS,
  IDENTIFIER_MAX_BYTES,
  IDENTIFIER_TYPE_MAX_BYTES,
  MESSAGE_ID_MAX_BYTES,
  eventTimeMs,
  timestampToMs,
  utf8ByteLength,
} from '@pulse/events';
import { READ_GRACE_MS, applyEvent } from '@pulse/features';
import { EventType, TransitionReason } from '@pulse/proto';
import type { Event } from '@pulse/proto';
import type { PulseStore } from '@pulse/store';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Definitions } from '../definitions.js';
import { updateAudiences } from '../audience/update-audiences.js';
import type { RecheckPolicy, Transition } from '../audience/update-audiences.js';
import { applyTraits } from '../profile/apply-traits.js';
import { deleteProfile } from '../profile/delete-profile.js';
import { findProfileByAny } from '../profile/find-profile.js';
import {
  FEEDBACK_EVENTS,
  applyDecisionEvent,
  applyFeedback,
  pruneDecisions,
} from '../decision/apply-decisions.js';
import { decodeEvent } from './decode-event.js';
import type { LearningBatch, LearningRuntime } from '../decision/learning-state.js';
import { applyMergedState, markMergedStateApplied } from '../partition/merged-state.js';
import type { Ownership } from '../partition/ownership.js';
import { eventIdentifiers, resolveProfile } from '../profile/resolve-profile.js';
import type { ProfileCache, ResolveContext } from '../profile/resolve-profile.js';

/** One message from the stream: its sequence and the encoded Event. */
export interface StreamMessage {
  seq: number;
  data: Uint8Array;
}

/** A stream message the engine cannot apply, with the reason. */
export interface InvalidMessage {
  seq: number;
  reason: string;
}

/** What one batch did, for metrics and logs. */
export interface BatchOutcome {
  applied: number;
  /** Already applied before (redelivered after a crash). */
  replayed: number;
  /** message_id seen before within the dedupe retention. */
  duplicates: number;
  /** Not a usable event (undecodable, or missing what the collector guarantees). */
  invalid: InvalidMessage[];
  conflicts: number;
  /** Trait leaves refused because they would change type. */
  traitConflicts: number;
  /** Profiles merged into another (absorbed). */
  merges: number;
  /** Profiles deleted. */
  deletions: number;
  /** Events dropped because an identifier was suppressed by a deletion. */
  suppressed: number;
  transitions: Transition[];
  lastSeq: number;
  /**
   * Milliseconds the batch held the event loop: with {@link applyBatchAsync}
   * the apply alone (the commit runs on LMDB's writer thread), with
   * {@link applyBatch} the apply and its synchronous commit.
   */
  holdMs: number;
}

/** What {@link applyBatch} works with. */
export interface ApplyContext {
  store: PulseStore;
  stream: string;
  definitions: () => Definitions;
  clock: Clock;
  recheck: RecheckPolicy;
  logger: Logger;
  learning: LearningRuntime;
  /** The profiles whose traits, features and audiences this engine keeps. */
  ownership: Ownership;
}

/** Expired decision records removed per batch (the rest go with later batches). */
const PRUNE_PER_BATCH = 200;

/** Key of the persisted event-time watermark in the positions database. */
export const WATERMARK_KEY = 'watermark';

/**
 * Applies a batch of stream messages in one LMDB transaction: feature state,
 * traits, identifiers, audience membership, the dedupe index and the applied
 * sequence commit together, so a crash at any point replays cleanly.
 */
export function applyBatch(ctx: ApplyContext, batch: readonly StreamMessage[]): BatchOutcome {
  const outcome = emptyOutcome();
  const learning = ctx.learning.startBatch(ctx.definitions().decisions.learning);
  const started = performance.now();
  const swapLearning = ctx.store.transaction(() =>
    applyInTransaction(ctx, batch, learning, outcome),
  );
  outcome.holdMs = performance.now() - started;
  // The learned state in memory changes only once LMDB holds it.
  swapLearning?.();
  return outcome;
}

/**
 * {@link applyBatch} with the commit off the event loop: the batch is applied
 * on this thread inside a write transaction LMDB's writer thread opens, and
 * the promise settles once that transaction committed (or rolled back, when
 * the batch threw). Batches must not overlap: start the next one after this
 * one settled, as the learned state of one builds on the one before.
 */
export async function applyBatchAsync(
  ctx: ApplyContext,
  batch: readonly StreamMessage[],
): Promise<BatchOutcome> {
  const outcome = emptyOutcome();
  const learning = ctx.learning.startBatch(ctx.definitions().decisions.learning);
  const swapLearning = await ctx.store.transactionAsync(() => {
    const started = performance.now();
    try {
      return applyInTransaction(ctx, batch, learning, outcome);
    } finally {
      outcome.holdMs = performance.now() - started;
    }
  });
  swapLearning?.();
  return outcome;
}

function emptyOutcome(): BatchOutcome {
  return {
    applied: 0,
    replayed: 0,
    duplicates: 0,
    invalid: [],
    conflicts: 0,
    traitConflicts: 0,
    merges: 0,
    deletions: 0,
    suppressed: 0,
    transitions: [],
    lastSeq: 0,
    holdMs: 0,
  };
}

/** The body of a batch's transaction; returns what to swap in once it committed. */
function applyInTransaction(
  ctx: ApplyContext,
  batch: readonly StreamMessage[],
  learning: LearningBatch,
  outcome: BatchOutcome,
): (() => void) | undefined {
  const defs = ctx.definitions();
  const appliedSeq = ctx.store.appliedSequence(ctx.stream);
  const touched: ProfileCache = new Map();
  const resolveCtx: ResolveContext = {
    store: ctx.store,
    cache: touched,
    features: defs.features,
    audiences: defs.audiences,
    identity: defs.identity,
    ownership: ctx.ownership,
  };
  // Per profile, the newest event time applied in this batch: what caused its changes.
  const causes = new Map<string, number>();
  for (const message of batch) {
    outcome.lastSeq = Math.max(outcome.lastSeq, message.seq);
    if (message.seq <= appliedSeq) outcome.replayed += 1;
    else applyMessage(ctx, defs, resolveCtx, causes, learning, message, outcome);
  }
  if (outcome.lastSeq <= appliedSeq) return undefined;

  const nowMs = ctx.clock.now();
  for (const profile of touched.values()) {
    // Another engine keeps the rest of a profile it does not own.
    if (!ctx.ownership.owns(profile.id)) {
      ctx.store.putProfile(profile);
      continue;
    }
    updateAudiences(
      ctx.store,
      defs,
      profile,
      nowMs,
      ctx.recheck,
      outcome.transitions,
      TransitionReason.EVENT,
      causes.get(profile.id) ?? nowMs,
    );
    ctx.store.putProfile(profile);
  }
  const attributionMs = defs.decisions.learning.attributionWindowMs;
  pruneDecisions(ctx.store, ctx.clock.now() - attributionMs - READ_GRACE_MS, PRUNE_PER_BATCH);
  ctx.store.setAppliedSequence(ctx.stream, outcome.lastSeq);
  ctx.store.positions.putSync(WATERMARK_KEY, ctx.clock.watermarkMs());
  return ctx.learning.commitBatch(ctx.store, learning);
}

function applyMessage(
  ctx: ApplyContext,
  defs: Definitions,
  resolveCtx: ResolveContext,
  causes: Map<string, number>,
  learning: LearningBatch,
  message: StreamMessage,
  outcome: BatchOutcome,
): void {
  const event = decode(message.data);
  const problem = event ? checkEvent(event) : 'not an encoded pulse.v1.Event';
  if (!event || problem) {
    outcome.invalid.push({ seq: message.seq, reason: problem ?? 'invalid event' });
    return;
  }
  if (ctx.store.isDuplicate(event.messageId)) {
    outcome.duplicates += 1;
    return;
  }
  const timeMs = eventTimeMs(event);
  if (event.type === EventType.DECISION) {
    applyDecisionEvent(ctx.store, defs, learning, event, ctx.clock.now() - READ_GRACE_MS);
  } else if (event.type === EventType.DELETE) {
    applyDeletion(ctx, defs, resolveCtx.cache, event, timeMs, outcome);
  } else if (event.type === EventType.MERGED_STATE) {
    const merged = applyMergedState(
      ctx.store,
      resolveCtx.cache,
      ctx.ownership,
      defs.features,
      event,
    );
    if (merged.profile) {
      const id = merged.profile.id;
      causes.set(id, Math.max(causes.get(id) ?? timeMs, timeMs));
      outcome.traitConflicts += merged.traitConflicts;
    }
  } else {
    applyCustomerEvent(
      ctx,
      defs,
      resolveCtx,
      causes,
      learning,
      event,
      timeMs,
      message.seq,
      outcome,
    );
  }
  // A merged state is remembered for good: see markMergedStateApplied.
  if (event.type === EventType.MERGED_STATE && event.mergedState) {
    markMergedStateApplied(ctx.store, event.mergedState.absorbedId);
  } else {
    ctx.store.rememberMessage(event.messageId, Date.now());
  }
}

/** An event a customer did: identity, traits, features, feedback, the clock. */
function applyCustomerEvent(
  ctx: ApplyContext,
  defs: Definitions,
  resolveCtx: ResolveContext,
  causes: Map<string, number>,
  learning: LearningBatch,
  event: Event,
  timeMs: number,
  seq: number,
  outcome: BatchOutcome,
): void {
  // Stored form (hashed where configured), by priority: read once, for both uses.
  const identifiers = eventIdentifiers(resolveCtx, event);
  if (identifiers.some(([type, value]) => ctx.store.isSuppressed(type, value))) {
    outcome.suppressed += 1;
    return;
  }
  const newProfileId = `p${seq.toString(36)}`;
  const resolution = resolveProfile(resolveCtx, event, identifiers, newProfileId, timeMs);
  const { profile, conflicts, absorbed } = resolution;
  causes.set(profile.id, Math.max(causes.get(profile.id) ?? timeMs, timeMs));
  if (absorbed.length > 0) {
    ctx.logger.debug({ profileId: profile.id, absorbed, seq }, 'profiles merged');
  }
  if (ctx.ownership.owns(profile.id)) {
    outcome.traitConflicts += resolution.traitConflicts + applyTraits(profile, event, timeMs);
    applyEvent(profile.features as never, defs.features, event);
  }
  if (event.type === EventType.TRACK && FEEDBACK_EVENTS[event.event] !== undefined) {
    const oldestDecisionMs = ctx.clock.now() - READ_GRACE_MS;
    applyFeedback(ctx.store, defs, learning, event, profile.id, timeMs, oldestDecisionMs);
  }
  if (timeMs < profile.firstSeenMs) profile.firstSeenMs = timeMs;
  if (timeMs > profile.lastSeenMs) profile.lastSeenMs = timeMs;

  ctx.clock.observe(timeMs);
  outcome.applied += 1;
  outcome.conflicts += conflicts;
  outcome.merges += absorbed.length;
}

/**
 * Applies a deletion from the stream: the profile any of its identifiers
 * names is forgotten; with suppression, the identifiers are also recorded
 * (those named in the request too, so a person never seen is kept out).
 */
function applyDeletion(
  ctx: ApplyContext,
  defs: Definitions,
  touched: ProfileCache,
  event: Event,
  timeMs: number,
  outcome: BatchOutcome,
): void {
  const request = {
    suppress: event.deletion?.suppress ?? false,
    reason: event.deletion?.reason ?? '',
    deletionId: event.messageId,
  };
  const found = findProfileByAny(ctx.store, event.identifiers, defs.identity);
  const profile = found && (touched.get(found.id) ?? found);
  if (profile) {
    const announce = ctx.ownership.owns(profile.id);
    deleteProfile(ctx.store, defs.audiences, touched, profile, request, timeMs, announce);
    outcome.deletions += 1;
    ctx.logger.info({ profileId: profile.id, deletionId: event.messageId }, 'profile deleted');
  }
  if (request.suppress) {
    for (const { type, value } of event.identifiers) {
      ctx.store.suppress(type, defs.identity.storedValue(type, value), timeMs);
    }
  }
}

/**
 * What the collector guarantees of every event; a message without it was
 * published around the collector and is set aside instead of stopping intake
 * (an over-long key would make LMDB throw, a far-future time would move the
 * watermark for good).
 */
function checkEvent(event: Event): string | undefined {
  if (!event.messageId) return 'message_id is empty';
  if (utf8ByteLength(event.messageId) > MESSAGE_ID_MAX_BYTES) return 'message_id is too long';
  // A decision names its profile inside (none for an unknown visitor).
  if (event.identifiers.length === 0 && event.type !== EventType.DECISION) return 'no identifier';
  for (const { type, value } of event.identifiers) {
    if (!type || !value) return 'an identifier has an empty type or value';
    if (
      utf8ByteLength(type) > IDENTIFIER_TYPE_MAX_BYTES ||
      utf8ByteLength(value) > IDENTIFIER_MAX_BYTES
    ) {
      return 'an identifier is too long';
    }
  }
  if (!event.timestamp) return 'timestamp is missing';
  const timeMs = eventTimeMs(event);
  const receivedMs = event.receivedAt ? timestampToMs(event.receivedAt) : Date.now();
  if (!Number.isFinite(timeMs) || timeMs < 0 || timeMs > receivedMs + DEFAULT_MAX_FUTURE_SKEW_MS) {
    return 'timestamp is out of range';
  }
  return undefined;
}

function decode(data: Uint8Array): Event | undefined {
  try {
    return decodeEvent(data);
  } catch {
    return undefined;
  }
}
