import { timestampMs } from '@bufbuild/protobuf/wkt';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { InvalidArgumentError } from '@pulse/grpc';
import { create } from '@bufbuild/protobuf';
import { isInvalidEventError, normalizeIdentifier } from '@pulse/events';
import { READ_GRACE_MS } from '@pulse/features';
import { IdentifierSchema } from '@pulse/proto';
import type { Identifier } from '@pulse/proto';
import type { Clock } from '../clock.js';

/**
 * Checks a required identifier field and normalizes it the way ingest does
 * (type lowercased, value trimmed and NFC, emails lowercased), so a lookup
 * finds what an event with the same spelling stored.
 */
export function requireIdentifier(identifier: Identifier | undefined, field: string): Identifier {
  if (!identifier) throw new InvalidArgumentError(field, 'is required');
  return normalizedIdentifier(identifier, field);
}

/** Normalizes one identifier of a request; INVALID_ARGUMENT names the part at fault. */
export function normalizedIdentifier(identifier: Identifier, field: string): Identifier {
  try {
    const { type, value } = normalizeIdentifier(identifier.type, identifier.value, field);
    return create(IdentifierSchema, { type, value });
  } catch (err) {
    if (!isInvalidEventError(err)) throw err;
    throw new InvalidArgumentError(err.field, err.reason, { cause: err });
  }
}

/** Checks a required string field. */
export function requireString(value: string, field: string): string {
  if (value.trim() === '') throw new InvalidArgumentError(field, 'must be a non-empty string');
  return value;
}

/**
 * The instant a request reads at: `as_of` when set, else the engine's now.
 * Feature state keeps only the buckets a read from a day before the newest
 * applied event on can see, so an earlier `as_of` is refused rather than
 * answered from pruned state.
 */
export function instantOf(asOf: Timestamp | undefined, clock: Clock): number {
  if (!asOf) return clock.now();
  const ms = timestampMs(asOf);
  const earliestMs = clock.watermarkMs() - READ_GRACE_MS;
  if (!Number.isFinite(ms) || ms < earliestMs) {
    const earliest = new Date(earliestMs).toISOString();
    throw new InvalidArgumentError(
      'as_of',
      `must not be before ${earliest} (state before it is pruned)`,
    );
  }
  return ms;
}
