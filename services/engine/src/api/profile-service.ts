import { setTimeout as sleep } from 'node:timers/promises';
import { FailedPreconditionError, NotFoundError, UnavailableError } from '@pulse/grpc';
import type { CallContext, ServiceHandlers } from '@pulse/grpc';
import type { ProfileService } from '@pulse/proto';
import type { EngineContext } from '../context.js';
import { PROFILE_ID_TYPE, findProfile } from '../profile/find-profile.js';
import { profileView } from '../profile/profile-view.js';
import { toProfileMessage } from './profile-proto.js';
import { instantOf, requireIdentifier } from './request-fields.js';

/** Longest a DeleteProfile waits for the engine to apply it when the call sets no deadline. */
const DELETE_WAIT_MS = 30_000;
const APPLIED_POLL_MS = 5;

/**
 * ProfileService: GetProfile by any identifier (or `profile_id`): traits,
 * every feature's value, the audiences held at the requested instant, the
 * identifiers and the merge history. DeleteProfile queues a deletion on the
 * event stream and answers once the engine has applied it.
 */
export function profileHandlers(ctx: EngineContext): ServiceHandlers<typeof ProfileService> {
  return {
    async getProfile(request) {
      const identifier = requireIdentifier(request.identifier, 'identifier');
      const defs = ctx.definitions();
      const record = findProfile(ctx.store, identifier, defs.identity);
      if (!record) throw new NotFoundError('profile', identifier.type);
      const atMs = instantOf(request.asOf, ctx.clock);
      const view = profileView(record, defs, atMs);
      const audiences = defs.audiences.evaluate(view);
      const allowed = defs.identity.allowsPersonalization(record.traits);
      return { profile: toProfileMessage(record, view, defs.features, audiences, allowed) };
    },

    async deleteProfile(request, call) {
      const identifier = requireIdentifier(request.identifier, 'identifier');
      if (!ctx.deletions) throw new FailedPreconditionError('the engine is not connected to NATS');
      const record = findProfile(ctx.store, identifier, ctx.definitions().identity);
      // The profile's own identifiers go along, so suppression covers them all.
      const identifiers = record
        ? record.identifiers.map(([type, value]) => ({ type, value }))
        : [{ type: identifier.type, value: identifier.value }];
      // The profile's own id goes too: a profile whose device ids moved to
      // another person may hold no identifier of its own any more.
      const named = record
        ? [...identifiers, { type: PROFILE_ID_TYPE, value: record.id }]
        : identifiers;
      const queued = await ctx.deletions.request(named, request.suppress, request.reason);
      await waitApplied(ctx, queued.seq, call);
      return { profileId: record?.id ?? '', identifiers, deletionId: queued.deletionId };
    },
  };
}

/** Resolves once the engine has applied the stream up to `seq`. */
async function waitApplied(ctx: EngineContext, seq: number, call: CallContext): Promise<void> {
  const untilMs = call.deadline ? call.deadline.getTime() : Date.now() + DELETE_WAIT_MS;
  while (ctx.store.appliedSequence(ctx.stream) < seq) {
    if (call.signal.aborted || Date.now() >= untilMs) {
      throw new UnavailableError(
        `the deletion is queued at stream sequence ${seq} but not applied yet; it will be`,
      );
    }
    await sleep(APPLIED_POLL_MS);
  }
}
