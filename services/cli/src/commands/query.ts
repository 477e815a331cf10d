import { toJson } from '@bufbuild/protobuf';
import { status as Status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { createClient } from '../client-security.js';
import {
  AudienceService,
  DecideResponseSchema,
  DecisionService,
  GetOfferStatsResponseSchema,
  ListAudiencesResponseSchema,
  ProfileSchema,
  ProfileService,
} from '@pulse/proto';

import { formatAudiences, formatDecision, formatOfferStats, formatProfile } from '../print.js';

interface IdentifierArg {
  type: string;
  value: string;
}

/** Output switches shared by the query commands. */
export interface QueryOutput {
  /** Print the response as protobuf JSON, one object on one line. */
  json?: boolean;
}

const DEADLINE_MS = 5_000;

/** `pulse profile`: prints one profile read over gRPC. */
export async function runGetProfile(
  address: string,
  identifier: IdentifierArg,
  output: QueryOutput = {},
): Promise<void> {
  const client = createClient(ProfileService, address, { deadlineMs: DEADLINE_MS });
  try {
    const { profile } = await client.getProfile({ identifier }).catch((err: unknown) => {
      if ((err as ServiceError).code !== Status.NOT_FOUND) throw err;
      throw new Error(`no profile held ${identifier.type}=${identifier.value}`, { cause: err });
    });
    write(output.json ? toJson(ProfileSchema, profile!) : formatProfile(profile!));
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
  output: QueryOutput & { explain?: boolean } = {},
): Promise<void> {
  const client = createClient(DecisionService, address, { deadlineMs: DEADLINE_MS });
  try {
    const explain = output.explain ?? false;
    const decision = await client.decide({ placement, identifiers: [identifier], limit, explain });
    write(
      output.json ? toJson(DecideResponseSchema, decision) : formatDecision(placement, decision),
    );
  } finally {
    client.close();
  }
}

/** `pulse audiences`: prints every audience with its live size. */
export async function runListAudiences(address: string, output: QueryOutput = {}): Promise<void> {
  const client = createClient(AudienceService, address, { deadlineMs: DEADLINE_MS });
  try {
    const response = await client.listAudiences({});
    write(output.json ? toJson(ListAudiencesResponseSchema, response) : formatAudiences(response));
  } finally {
    client.close();
  }
}

/** `pulse offer-stats`: counters and learned propensity per placement and offer. */
export async function runOfferStats(
  address: string,
  placement: string,
  output: QueryOutput = {},
): Promise<void> {
  const client = createClient(DecisionService, address, { deadlineMs: DEADLINE_MS });
  try {
    const response = await client.getOfferStats({ placement });
    write(output.json ? toJson(GetOfferStatsResponseSchema, response) : formatOfferStats(response));
  } finally {
    client.close();
  }
}

/** Text as is; anything else as one line of JSON. */
function write(output: unknown): void {
  const text = typeof output === 'string' ? output : JSON.stringify(output);
  process.stdout.write(`${text}\n`);
}
