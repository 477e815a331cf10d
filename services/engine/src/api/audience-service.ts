import type { AudienceSet } from '@pulse/audiences';
import { InvalidArgumentError, NotFoundError } from '@pulse/grpc';
import type { ServiceHandlers } from '@pulse/grpc';
import type { AudienceService, CheckResponse, Identifier } from '@pulse/proto';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { CheckResponseSchema } from '@pulse/proto';
import type { EngineContext } from '../context.js';
import { findProfile } from '../profile/find-profile.js';
import { profileView } from '../profile/profile-view.js';
import { instantOf, requireIdentifier, requireString } from './request-fields.js';

/** Most identifiers one BatchCheck may ask about. */
export const BATCH_CHECK_MAX = 1_000;

/** Profile ids per streamed ListMembers message. */
const MEMBERS_PER_MESSAGE = 500;

/**
 * AudienceService: Check and BatchCheck evaluate the rule at the instant of
 * the call (exact even before time-driven index updates run); ListMembers
 * streams the live index, or evaluates every profile at `as_of`.
 */
export function audienceHandlers(ctx: EngineContext): ServiceHandlers<typeof AudienceService> {
  const audienceOf = (id: string): AudienceSet => {
    requireString(id, 'audience_id');
    const audiences = ctx.definitions().audiences;
    if (!audiences.get(id)) throw new NotFoundError('audience', id);
    return audiences;
  };

  const check = (audienceId: string, identifier: Identifier, atMs: number) => {
    const profile = findProfile(ctx.store, identifier, ctx.definitions().identity);
    if (!profile) return { member: false, profileId: '' } satisfies Partial<CheckResponse>;
    const view = profileView(profile, ctx.definitions(), atMs);
    const member = ctx.definitions().audiences.evaluateOne(audienceId, view);
    return { member, profileId: profile.id };
  };

  return {
    async check(request) {
      audienceOf(request.audienceId);
      const identifier = requireIdentifier(request.identifier, 'identifier');
      return check(request.audienceId, identifier, instantOf(request.asOf, ctx.clock));
    },

    async batchCheck(request) {
      audienceOf(request.audienceId);
      if (request.identifiers.length > BATCH_CHECK_MAX) {
        throw new InvalidArgumentError('identifiers', `at most ${BATCH_CHECK_MAX} per call`);
      }
      const atMs = instantOf(request.asOf, ctx.clock);
      const results: MessageInitShape<typeof CheckResponseSchema>[] = request.identifiers.map(
        (identifier, i) =>
          check(request.audienceId, requireIdentifier(identifier, `identifiers[${i}]`), atMs),
      );
      return { results };
    },

    async *listMembers(request, call) {
      const audiences = audienceOf(request.audienceId);
      const ids = request.asOf
        ? evaluateAll(ctx, audiences, request.audienceId, instantOf(request.asOf, ctx.clock))
        : ctx.store.memberIds(request.audienceId);
      let chunk: string[] = [];
      for (const id of ids) {
        if (call.signal.aborted) return;
        chunk.push(id);
        if (chunk.length === MEMBERS_PER_MESSAGE) {
          yield { profileIds: chunk };
          chunk = [];
        }
      }
      if (chunk.length > 0) yield { profileIds: chunk };
    },

    async listAudiences() {
      const defs = ctx.definitions();
      const audiences = defs.audiences.ids.map((id) => {
        const audience = defs.audiences.get(id)!;
        const size = BigInt(ctx.store.countMembers(id));
        return { audienceId: id, name: audience.name, expression: audience.expression, size };
      });
      return { audiences };
    },
  };
}

/** Evaluates one audience over every profile at `atMs`, in profile id order. */
function* evaluateAll(
  ctx: EngineContext,
  audiences: AudienceSet,
  audienceId: string,
  atMs: number,
): Generator<string> {
  const defs = ctx.definitions();
  for (const profileId of ctx.store.profileIds()) {
    const profile = ctx.store.getProfile(profileId);
    if (profile && audiences.evaluateOne(audienceId, profileView(profile, defs, atMs))) {
      yield profileId;
    }
  }
}
