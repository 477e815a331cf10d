import { createClient } from '@pulse/grpc';
import { AudienceService, DecisionService, ProfileService } from '@pulse/proto';
import { formatAudiences, formatDecision, formatProfile } from '../print.js';

interface IdentifierArg {
  type: string;
  value: string;
}

/** `pulse profile`: prints one profile read over gRPC. */
export async function runGetProfile(address: string, identifier: IdentifierArg): Promise<void> {
  const client = createClient(ProfileService, address, { deadlineMs: 5_000 });
  try {
    const { profile } = await client.getProfile({ identifier });
    process.stdout.write(`${formatProfile(profile!)}\n`);
  } finally {
    client.close();
  }
}

/** `pulse decide`: prints the ranked offers for a visitor. */
export async function runDecide(
  address: string,
  placement: string,
  identifier: IdentifierArg,
  limit: number,
): Promise<void> {
  const client = createClient(DecisionService, address, { deadlineMs: 5_000 });
  try {
    const decision = await client.decide({ placement, identifiers: [identifier], limit });
    process.stdout.write(`${formatDecision(placement, decision)}\n`);
  } finally {
    client.close();
  }
}

/** `pulse audiences`: prints every audience with its live size. */
export async function runListAudiences(address: string): Promise<void> {
  const client = createClient(AudienceService, address, { deadlineMs: 5_000 });
  try {
    process.stdout.write(`${formatAudiences(await client.listAudiences({}))}\n`);
  } finally {
    client.close();
  }
}
