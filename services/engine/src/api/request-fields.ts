import { timestampMs } from '@bufbuild/protobuf/wkt';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { InvalidArgumentError } from '@pulse/grpc';
import type { Identifier } from '@pulse/proto';
import type { Clock } from '../clock.js';

/** Checks a required identifier field: both type and value non-empty. */
export function requireIdentifier(identifier: Identifier | undefined, field: string): Identifier {
  if (!identifier) throw new InvalidArgumentError(field, 'is required');
  if (!identifier.type) throw new InvalidArgumentError(`${field}.type`, 'must be non-empty');
  if (!identifier.value) throw new InvalidArgumentError(`${field}.value`, 'must be non-empty');
  return identifier;
}

/** Checks a required string field. */
export function requireString(value: string, field: string): string {
  if (value.trim() === '') throw new InvalidArgumentError(field, 'must be a non-empty string');
  return value;
}

/**
 * The instant a request reads at: `as_of` when set, else the engine's now.
 * Feature state keeps only the buckets a read at or after the newest applied
 * event can see, so an `as_of` before that watermark is refused rather than
 * answered from pruned state.
 */
export function instantOf(asOf: Timestamp | undefined, clock: Clock): number {
  if (!asOf) return clock.now();
  const ms = timestampMs(asOf);
  const watermarkMs = clock.watermarkMs();
  if (!Number.isFinite(ms) || ms < watermarkMs) {
    const newest = new Date(watermarkMs).toISOString();
    throw new InvalidArgumentError(
      'as_of',
      `must not be before the newest applied event (${newest})`,
    );
  }
  return ms;
}
