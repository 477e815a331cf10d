import { create } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { status as Status } from '@grpc/grpc-js';
import { InvalidArgumentError, NotFoundError, StatusError } from '@pulse/grpc';
import type { CallContext, ServiceHandlers } from '@pulse/grpc';
import type { NatsConnection } from '@nats-io/transport-node';
import { AudienceService, DecisionService, PartitionService, ProfileService } from '@pulse/proto';
import { ListAudiencesRequestSchema, ListMembersResponseSchema } from '@pulse/proto';
import type {
  AudienceMember,
  CheckResponseSchema,
  Identifier,
  ListMembersResponse,
  MembersPageRequest,
  MembersPageResponse,
} from '@pulse/proto';
import type { EngineContext } from '../context.js';
import { BATCH_CHECK_MAX, decodePageToken, encodePageToken } from '../api/audience-service.js';
import { encodeDecideResponse } from '../api/encode-decide-response.js';
import { normalizedIdentifier, requireIdentifier, requireString } from '../api/request-fields.js';
import { findProfileByAny } from '../profile/find-profile.js';
import { forwardCall } from './forward-calls.js';
import type { ForwardedMethod } from './forward-calls.js';
import type { PartitionTable, Route } from './partition-table.js';

/** Members asked of each engine per round of a gathered listing. */
const GATHER_PAGE = 500;

/** The local handlers a partitioned engine routes in front of. */
export interface LocalHandlers {
  profile: ServiceHandlers<typeof ProfileService>;
  decision: ServiceHandlers<typeof DecisionService>;
  audience: ServiceHandlers<typeof AudienceService>;
}

/** What routing works with. */
export interface Router {
  ctx: EngineContext;
  table: PartitionTable;
  nc: NatsConnection;
}

/**
 * Where the profile named by `identifiers` is served. Identity is resolved
 * against this engine's replica of the identity map; an identifier nobody
 * holds (or one the handler will refuse) is answered here.
 */
function routeOf(router: Router, identifiers: readonly (Identifier | undefined)[]): Route {
  const valid: Identifier[] = [];
  for (const identifier of identifiers) {
    if (!identifier) continue;
    try {
      valid.push(normalizedIdentifier(identifier, 'identifier'));
    } catch {
      return { kind: 'local' };
    }
  }
  const profile = findProfileByAny(router.ctx.store, valid, router.ctx.definitions().identity);
  return profile ? router.table.route(profile.id) : { kind: 'local' };
}

/** The local handler, or the owner's answer over NATS. */
async function routed<T>(
  router: Router,
  route: Route,
  method: Parameters<typeof forwardCall>[2],
  request: unknown,
  call: CallContext,
  local: () => Promise<T>,
): Promise<T> {
  if (route.kind === 'local') return local();
  if (route.kind === 'unowned') {
    throw new StatusError(
      Status.UNAVAILABLE,
      `partition ${route.partition} is changing owner; retry shortly`,
    );
  }
  const partitions = [route.partition];
  return (await forwardCall(router.nc, route.engineId, method, request, call, partitions)) as T;
}

/** ProfileService with GetProfile answered by the profile's owner. */
export function routedProfileHandlers(
  router: Router,
  local: LocalHandlers,
): ServiceHandlers<typeof ProfileService> {
  return {
    getProfile: (request, call) =>
      routed(
        router,
        routeOf(router, [request.identifier]),
        ProfileService.method.getProfile,
        request,
        call,
        () => local.profile.getProfile(request, call),
      ),
    // Deletions go through the stream, which every engine applies.
    deleteProfile: (request, call) => local.profile.deleteProfile(request, call),
  };
}

/** DecisionService with Decide answered by the visitor's owner. */
export function routedDecisionHandlers(
  router: Router,
  local: LocalHandlers,
): ServiceHandlers<typeof DecisionService> {
  return {
    decide: (request, call) =>
      routed(
        router,
        routeOf(router, request.identifiers),
        DecisionService.method.decide,
        request,
        call,
        () => local.decision.decide(request, call),
      ),
    // Learned state is replicated: every engine applies every decision and its feedback.
    getOfferStats: (request, call) => local.decision.getOfferStats(request, call),
  };
}

/**
 * AudienceService: Check by the owner; BatchCheck split by owner and put
 * back in order; ListMembers and ListAudiences gathered from the engines
 * serving every partition.
 */
export function routedAudienceHandlers(
  router: Router,
  local: LocalHandlers,
): ServiceHandlers<typeof AudienceService> {
  return {
    check: (request, call) =>
      routed(
        router,
        routeOf(router, [request.identifier]),
        AudienceService.method.check,
        request,
        call,
        () => local.audience.check(request, call),
      ),

    async batchCheck(request, call) {
      // The whole request is checked as one engine would, before it is split.
      checkBatch(router, request);
      if (request.identifiers.length === 0) return local.audience.batchCheck(request, call);
      type Result = MessageInitShape<typeof CheckResponseSchema>;
      const results: Result[] = new Array<Result>(request.identifiers.length);
      const groups = new Map<string, { indexes: number[]; partitions: Set<number> }>();
      request.identifiers.forEach((identifier, i) => {
        const route = routeOf(router, [identifier]);
        if (route.kind === 'unowned') {
          throw new StatusError(
            Status.UNAVAILABLE,
            `partition ${route.partition} is changing owner; retry shortly`,
          );
        }
        const key = route.kind === 'remote' ? route.engineId : route.kind;
        const group = groups.get(key) ?? { indexes: [], partitions: new Set<number>() };
        group.indexes.push(i);
        if (route.kind === 'remote') group.partitions.add(route.partition);
        groups.set(key, group);
      });
      await Promise.all(
        [...groups].map(async ([key, { indexes, partitions }]) => {
          const part = { ...request, identifiers: indexes.map((i) => request.identifiers[i]!) };
          const answer =
            key === 'local'
              ? await local.audience.batchCheck(part, call)
              : ((await forwardCall(router.nc, key, AudienceService.method.batchCheck, part, call, [
                  ...partitions,
                ])) as { results: Result[] });
          (answer.results ?? []).forEach((r, j) => (results[indexes[j]!] = r));
        }),
      );
      return { results };
    },

    async *listMembers(request, call) {
      if (!router.ctx.definitions().audiences.get(request.audienceId)) {
        // The local handler names the problem (unknown or empty audience id).
        yield* local.audience.listMembers(request, call);
        return;
      }
      let after = request.pageToken
        ? decodePageToken(request.pageToken, request.audienceId)
        : undefined;
      const limit = request.pageSize === 0 ? Infinity : request.pageSize;
      const engines = servingEngines(router);
      let sent = 0;
      let first = true;
      for (;;) {
        const pages = await Promise.all(
          engines.map(([engine, partitions]) =>
            membersPage(
              router,
              local,
              engine,
              partitions,
              { ...request, after, pageSize: GATHER_PAGE },
              call,
            ),
          ),
        );
        // Members up to the smallest last id of a full page are complete everywhere.
        const full = pages.filter((p) => p.profileIds.length === GATHER_PAGE);
        const bound =
          full.length === 0 ? undefined : full.map((p) => p.profileIds.at(-1)!).sort()[0];
        const members = pages
          .flatMap((p) => zipMembers(p))
          .filter((m) => bound === undefined || m.profileId <= bound)
          .sort((a, b) => (a.profileId < b.profileId ? -1 : a.profileId > b.profileId ? 1 : 0))
          .slice(0, limit - sent);
        sent += members.length;
        const done = bound === undefined || sent >= limit;
        const lastId = members.at(-1)?.profileId;
        const finished = bound === undefined && (limit === Infinity || sent < limit);
        yield {
          profileIds: members.map((m) => m.profileId),
          members: request.identifierTypes.length === 0 ? [] : members.map((m) => m.member!),
          total: first ? pages.reduce((sum, p) => sum + p.total, 0n) : 0n,
          nextPageToken:
            finished || lastId === undefined ? '' : encodePageToken(request.audienceId, lastId),
        };
        first = false;
        if (done) return;
        after = lastId ?? bound;
        if (call.signal.aborted) return;
      }
    },

    async listAudiences(request, call) {
      const engines = servingEngines(router);
      const parts = await Promise.all(
        engines.map(([engine, partitions]) =>
          engine === router.table.self
            ? local.audience.listAudiences(request, call)
            : (forwardCall(
                router.nc,
                engine,
                PartitionService.method.localAudiences,
                {},
                call,
                partitions,
              ) as ReturnType<typeof local.audience.listAudiences>),
        ),
      );
      const [head, ...rest] = parts;
      const audiences = (head!.audiences ?? []).map((a) => ({ ...a }));
      for (const part of rest) {
        for (const a of part.audiences ?? []) {
          const mine = audiences.find((x) => x.audienceId === a.audienceId);
          if (mine) mine.size = BigInt(mine.size ?? 0n) + BigInt(a.size ?? 0n);
        }
      }
      return { audiences };
    },
  };
}

/** The engines whose partitions together cover the installation, with their partitions. */
function servingEngines(router: Router): [string, number[]][] {
  const serving = router.table.servingEngines();
  if ('unowned' in serving) {
    throw new StatusError(
      Status.UNAVAILABLE,
      `partition ${serving.unowned} is changing owner; the listing would be incomplete; retry shortly`,
    );
  }
  return [...serving.engines].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** What the local BatchCheck refuses, refused before the request is split by owner. */
function checkBatch(router: Router, request: { audienceId: string; identifiers: Identifier[] }) {
  requireString(request.audienceId, 'audience_id');
  if (!router.ctx.definitions().audiences.get(request.audienceId)) {
    throw new NotFoundError('audience', request.audienceId);
  }
  if (request.identifiers.length > BATCH_CHECK_MAX) {
    throw new InvalidArgumentError('identifiers', `at most ${BATCH_CHECK_MAX} per call`);
  }
  request.identifiers.forEach((identifier, i) =>
    requireIdentifier(identifier, `identifiers[${i}]`),
  );
}

interface PageRequest {
  audienceId: string;
  asOf?: ListMembersRequestShape['asOf'];
  identifierTypes: string[];
  after: string | undefined;
  pageSize: number;
}
type ListMembersRequestShape = Parameters<
  ServiceHandlers<typeof AudienceService>['listMembers']
>[0];

async function membersPage(
  router: Router,
  local: LocalHandlers,
  engine: string,
  partitions: readonly number[],
  page: PageRequest,
  call: CallContext,
): Promise<ListMembersResponse> {
  const request = {
    $typeName: 'pulse.v1.ListMembersRequest' as const,
    audienceId: page.audienceId,
    asOf: page.asOf,
    identifierTypes: page.identifierTypes,
    pageToken: page.after === undefined ? '' : encodePageToken(page.audienceId, page.after),
    pageSize: page.pageSize,
  };
  if (engine === router.table.self) return localMembersPage(local, request, call);
  const answer = (await forwardCall(
    router.nc,
    engine,
    PartitionService.method.membersPage,
    { listing: request },
    call,
    partitions,
  )) as MembersPageResponse;
  return answer.page ?? create(ListMembersResponseSchema);
}

/** One page of this engine's own members, collected from the streaming handler. */
async function localMembersPage(
  local: LocalHandlers,
  request: ListMembersRequestShape,
  call: CallContext,
): Promise<ListMembersResponse> {
  const page = {
    $typeName: 'pulse.v1.ListMembersResponse' as const,
    profileIds: [] as string[],
    members: [] as AudienceMember[],
    total: 0n,
    nextPageToken: '',
  };
  let first = true;
  for await (const part of local.audience.listMembers(request, call)) {
    page.profileIds.push(...(part.profileIds ?? []));
    page.members.push(...((part.members ?? []) as AudienceMember[]));
    if (first) page.total = BigInt(part.total ?? 0n);
    first = false;
  }
  return page;
}

function zipMembers(page: ListMembersResponse) {
  return page.profileIds.map((profileId, i) => ({ profileId, member: page.members[i] }));
}

/** PartitionService's handlers: what this engine answers for a gathering engine. */
export function partitionMethods(local: LocalHandlers): ForwardedMethod[] {
  const methods: ForwardedMethod[] = [
    {
      method: PartitionService.method.membersPage,
      handler: async (request, call) => {
        const { listing } = request as MembersPageRequest;
        if (!listing) throw new InvalidArgumentError('listing', 'is required');
        return { page: await localMembersPage(local, listing, call) };
      },
    },
    {
      method: PartitionService.method.localAudiences,
      handler: (_request, call) =>
        local.audience.listAudiences(create(ListAudiencesRequestSchema), call),
    },
    { method: ProfileService.method.getProfile, handler: local.profile.getProfile as never },
    {
      method: DecisionService.method.decide,
      handler: local.decision.decide as never,
      serialize: encodeDecideResponse as never,
    },
    { method: AudienceService.method.check, handler: local.audience.check as never },
    { method: AudienceService.method.batchCheck, handler: local.audience.batchCheck as never },
  ];
  return methods;
}
