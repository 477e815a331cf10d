import type { AudienceDefinition as ProtoAudience, AudienceAdminService } from '@pulse/proto';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@pulse/grpc';
import type { ServiceHandlers } from '@pulse/grpc';
import { isDefinitionError, isRuleError } from '@pulse/rules';
import type { EngineContext } from '../context.js';
import { withAudiences } from '../definitions.js';
import type { BackfillStatus } from '../audience/backfill.js';
import { toDefinition } from '../audience/definition-store.js';
import type { AudienceDefinitionStore, StoredAudience } from '../audience/definition-store.js';
import { requireString } from './request-fields.js';

/** What the admin API works on besides the engine context. */
export interface AudienceAdminDeps {
  /** The key-value bucket; undefined when definitions come from files. */
  store: AudienceDefinitionStore | undefined;
  backfill: BackfillStatus;
}

/**
 * AudienceAdminService: audience definitions as versioned data in NATS KV.
 * Writes are validated and type-checked against this engine's features
 * before they are stored; every engine picks them up through its watch.
 */
export function audienceAdminHandlers(
  ctx: EngineContext,
  deps: AudienceAdminDeps,
): ServiceHandlers<typeof AudienceAdminService> {
  const writable = (): AudienceDefinitionStore => {
    if (deps.store) return deps.store;
    const reason = 'audience definitions are read from files here (set PULSE_AUDIENCE_STORE=kv)';
    throw new FailedPreconditionError(reason);
  };
  const stored = async (id: string): Promise<StoredAudience | undefined> => {
    if (deps.store) return deps.store.get(id);
    return fromSet(ctx, id);
  };

  return {
    async createAudience(request) {
      const audience = validated(ctx, request.audience);
      return { audience: await writable().create(audience) };
    },

    async updateAudience(request) {
      const audience = validated(ctx, request.audience);
      return { audience: await writable().update(audience, request.audience!.version) };
    },

    async deleteAudience(request) {
      const id = requireString(request.audienceId, 'audience_id');
      const usedBy = offersNaming(ctx, id);
      if (usedBy.length > 0) {
        throw new FailedPreconditionError(
          `audience '${id}' is named by offers ${usedBy.join(', ')}`,
        );
      }
      await writable().delete(id);
      return {};
    },

    async getAudience(request) {
      const id = requireString(request.audienceId, 'audience_id');
      const audience = await stored(id);
      if (!audience) throw new NotFoundError('audience', id);
      const size = BigInt(ctx.store.countMembers(id));
      return { audience, size, backfill: deps.backfill.toProto() };
    },

    async listAudienceDefinitions() {
      if (deps.store) return { audiences: await deps.store.list() };
      const ids = ctx.definitions().audiences.ids;
      return { audiences: ids.map((id) => fromSet(ctx, id)!) };
    },

    async getBackfill() {
      return { backfill: deps.backfill.toProto() };
    },
  };
}

/**
 * Checks a definition from a request: shape, id, and an expression that
 * compiles and type-checks against the profile's fields. INVALID_ARGUMENT
 * names `audience.<field>` and says what failed and where.
 */
function validated(
  ctx: EngineContext,
  audience: ProtoAudience | undefined,
): Omit<StoredAudience, 'version'> {
  if (!audience) throw new InvalidArgumentError('audience', 'is required');
  const { id, name, expression, description } = audience;
  const candidate = { id, name, expression, description, version: 1 };
  try {
    withAudiences(ctx.definitions(), [toDefinition(candidate)]);
  } catch (err) {
    if (!isRuleError(err) && !isDefinitionError(err)) throw err;
    const field = err.field.replace(/^audiences\[0\]/, 'audience') || 'audience';
    const reason = err.field === '' ? err.message : err.message.slice(err.field.length + 2);
    throw new InvalidArgumentError(field, reason, { cause: err });
  }
  return { id, name, expression, description };
}

function fromSet(ctx: EngineContext, id: string): StoredAudience | undefined {
  const audience = ctx.definitions().audiences.get(id);
  if (!audience) return undefined;
  const { name, expression, description, version } = audience;
  return { id, name, expression, description: description ?? '', version };
}

function offersNaming(ctx: EngineContext, audienceId: string): string[] {
  const offers = ctx.definitions().offers;
  return offers.ids.filter((offerId) => {
    const offer = offers.get(offerId);
    return offer && (offer.include.includes(audienceId) || offer.exclude.includes(audienceId));
  });
}
