import { timestampFromMs, timestampMs } from '@bufbuild/protobuf/wkt';
import type { Profile } from '@pulse/proto';
import type { Stack } from '../harness/stack.js';

/** A feature's number, or undefined when it has none. */
export function featureNumber(profile: Profile, featureId: string): number | undefined {
  const value = profile.features.find((f) => f.featureId === featureId)?.value;
  return value?.case === 'number' ? value.value : undefined;
}

/** A feature's time in epoch ms, or undefined. */
export function featureTime(profile: Profile, featureId: string): number | undefined {
  const value = profile.features.find((f) => f.featureId === featureId)?.value;
  return value?.case === 'time' ? timestampMs(value.value) : undefined;
}

/** Reads a profile by one identifier; undefined when NOT_FOUND. */
export async function profileOf(
  stack: Stack,
  type: string,
  value: string,
  asOfMs?: number,
): Promise<Profile | undefined> {
  try {
    const asOf = asOfMs === undefined ? undefined : timestampFromMs(asOfMs);
    const { profile } = await stack.profiles.getProfile({ identifier: { type, value }, asOf });
    return profile;
  } catch (err) {
    if ((err as { code?: number }).code === 5) return undefined;
    throw err;
  }
}

/** A minimal valid order call. */
export function order(userId: string, messageId: string, timestamp: string, revenue = 10) {
  return {
    type: 'track',
    event: 'Order Completed',
    userId,
    messageId,
    timestamp,
    properties: { order_id: messageId, revenue },
  };
}
