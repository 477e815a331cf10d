import { NotFoundError } from '@pulse/grpc';
import type { ServiceHandlers } from '@pulse/grpc';
import type { ProfileService } from '@pulse/proto';
import type { EngineContext } from '../context.js';
import { findProfile } from '../profile/find-profile.js';
import { profileView } from '../profile/profile-view.js';
import { toProfileMessage } from './profile-proto.js';
import { instantOf, requireIdentifier } from './request-fields.js';

/**
 * ProfileService.GetProfile by any identifier (or `profile_id`): traits,
 * every feature's value and the audiences held, all at the requested instant.
 */
export function profileHandlers(ctx: EngineContext): ServiceHandlers<typeof ProfileService> {
  return {
    async getProfile(request) {
      const identifier = requireIdentifier(request.identifier, 'identifier');
      const record = findProfile(ctx.store, identifier);
      if (!record) throw new NotFoundError('profile', identifier.type);
      const atMs = instantOf(request.asOf, ctx.clock);
      const defs = ctx.definitions();
      const view = profileView(record, defs, atMs);
      const audiences = defs.audiences.evaluate(view);
      return { profile: toProfileMessage(record, view, defs.features, audiences) };
    },
  };
}
