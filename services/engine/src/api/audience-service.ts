import type { AudienceSet } from '@pulse/audiences';
import { InvalidArgumentError, NotFoundError } from '@pulse/grpc';
import type { ServiceHandlers } from '@pulse/grpc';
import type { AudienceService, CheckResponse, Identifier } from '@pulse/proto';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { CheckResponseSchema } from '@pulse/proto';
import type { Transaction } from 'lmdb';
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
      const after = request.pageToken
        ? decodePageToken(request.pageToken, request.audienceId)
        : undefined;
      const types = new Set(request.identifierTypes);
      const limit = request.pageSize === 0 ? Infinity : request.pageSize;
      const pages = request.asOf
        ? evaluatedPages(
            ctx,
            audiences,
            request.audienceId,
            instantOf(request.asOf, ctx.clock),
            after,
          )
        : snapshotPages(ctx, request.audienceId, after);
      let sent = 0;
      let first = true;
      for (const { ids, total, snapshot, final } of pages) {
        if (call.signal.aborted) return;
        const page = ids.slice(0, limit - sent);
        sent += page.length;
        // The token is empty once the last member was sent.
        const last = final && page.length === ids.length ? undefined : page.at(-1);
        const members =
          types.size === 0 ? [] : page.map((id) => memberOf(ctx, id, types, snapshot));
        yield {
          profileIds: page,
          members,
          total: first ? BigInt(total) : 0n,
          nextPageToken: last === undefined ? '' : encodePageToken(request.audienceId, last),
        };
        first = false;
        if (sent >= limit) return;
      }
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

/** One streamed page: member ids in key order, and what it was read from. */
interface MemberPage {
  ids: string[];
  /** Members in the snapshot (0 when evaluated at `as_of`). */
  total: number;
  snapshot: Transaction | undefined;
  /** No member follows this page. */
  final: boolean;
}

/**
 * Pages of the live index read through one LMDB read transaction, so the
 * stream is one consistent snapshot however long the caller takes, while
 * batches commit beside it. The last page may be empty.
 */
function* snapshotPages(
  ctx: EngineContext,
  audienceId: string,
  after: string | undefined,
): Generator<MemberPage> {
  const snapshot = ctx.store.readSnapshot();
  try {
    const total = ctx.store.countMembers(audienceId, snapshot);
    let cursor = after;
    for (;;) {
      const ids = ctx.store.memberIdsAfter(audienceId, cursor, MEMBERS_PER_MESSAGE, snapshot);
      const final = ids.length < MEMBERS_PER_MESSAGE;
      yield { ids, total, snapshot, final };
      if (final) return;
      cursor = ids[ids.length - 1];
    }
  } finally {
    snapshot.done();
  }
}

/** Pages of the profiles that hold the audience at `atMs`, in profile id order. */
function* evaluatedPages(
  ctx: EngineContext,
  audiences: AudienceSet,
  audienceId: string,
  atMs: number,
  after: string | undefined,
): Generator<MemberPage> {
  const defs = ctx.definitions();
  let cursor = after;
  for (;;) {
    const chunk = ctx.store.profileIdsAfter(cursor, MEMBERS_PER_MESSAGE);
    const ids = chunk.filter((profileId) => {
      if (!ctx.ownership.owns(profileId)) return false;
      const profile = ctx.store.getProfile(profileId);
      return profile && audiences.evaluateOne(audienceId, profileView(profile, defs, atMs));
    });
    if (chunk.length < MEMBERS_PER_MESSAGE) {
      yield { ids, total: 0, snapshot: undefined, final: true };
      return;
    }
    if (ids.length > 0) yield { ids, total: 0, snapshot: undefined, final: false };
    cursor = chunk[chunk.length - 1];
  }
}

/** A member with its identifiers of the asked types, read from the same snapshot. */
function memberOf(
  ctx: EngineContext,
  profileId: string,
  types: ReadonlySet<string>,
  snapshot: Transaction | undefined,
) {
  const profile = ctx.store.getProfile(profileId, snapshot);
  const identifiers = (profile?.identifiers ?? [])
    .filter(([type]) => types.has(type))
    .map(([type, value]) => ({ type, value }));
  return { profileId, identifiers };
}

/** Page tokens name the audience and the last member sent: resumable, and opaque. */
export function encodePageToken(audienceId: string, profileId: string): string {
  return Buffer.from(JSON.stringify([audienceId, profileId])).toString('base64url');
}

export function decodePageToken(token: string, audienceId: string): string {
  let parsed: unknown[] | undefined;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[1] !== 'string')
    throw new InvalidArgumentError('page_token', 'is not a token ListMembers gave');
  if (parsed[0] !== audienceId) {
    throw new InvalidArgumentError('page_token', `belongs to audience '${String(parsed[0])}'`);
  }
  return parsed[1] as string;
}
