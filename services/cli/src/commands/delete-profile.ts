import { createClient } from '../client-security.js';
import { ProfileService } from '@pulse/proto';

/** What `pulse delete-profile` was asked. */
export interface DeleteProfileOptions {
  engine: string;
  suppress: boolean;
  reason: string;
}

/**
 * `pulse delete-profile`: forgets a person through the engine and prints
 * what no longer resolves. Waits until the engine has applied the deletion.
 */
export async function runDeleteProfile(
  identifier: { type: string; value: string },
  options: DeleteProfileOptions,
): Promise<void> {
  const client = createClient(ProfileService, options.engine, { deadlineMs: 30_000 });
  try {
    const result = await client.deleteProfile({
      identifier,
      suppress: options.suppress,
      reason: options.reason,
    });
    const ids = result.identifiers.map((i) => `${i.type}=${i.value}`).join(' ');
    const what = result.profileId
      ? `deleted profile ${result.profileId} (${ids})`
      : `no profile held ${identifier.type}=${identifier.value}; nothing to delete`;
    const suppressed = options.suppress ? '; later events with these identifiers are dropped' : '';
    process.stdout.write(`${what}${suppressed} [deletion ${result.deletionId}]\n`);
  } finally {
    client.close();
  }
}
