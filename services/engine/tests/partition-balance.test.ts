/**
 * Break test (issue 7): how rendezvous hashing spreads the base install's
 * 12 partitions over StatefulSet replicas (`pulse-engine-<ordinal>`). The
 * README promises that adding replicas divides the feature and audience
 * work; a replica that prefers no partition does none of it.
 */
import { describe, expect, it } from 'vitest';
import { assignPartitions } from '../src/partition/partition-leases.js';

const PARTITIONS = 12;

function spread(replicas: number): number[] {
  const names = Array.from({ length: replicas }, (_, i) => `pulse-engine-${i}`);
  const counts = names.map(() => 0);
  const assignment = assignPartitions(PARTITIONS, names);
  for (let p = 0; p < PARTITIONS; p += 1) counts[names.indexOf(assignment.get(p)!)]! += 1;
  return counts;
}

describe('partition spread over pulse-engine-<n> replicas (12 partitions)', () => {
  it('gives every replica at least one partition, from 2 to 6 replicas', () => {
    for (let replicas = 2; replicas <= 6; replicas += 1) {
      expect(
        Math.min(...spread(replicas)),
        `${replicas} replicas: ${spread(replicas)}`,
      ).toBeGreaterThan(0);
    }
  });

  it('keeps the busiest of the production overlay’s 3 replicas within one partition of an even share', () => {
    const counts = spread(3);
    // An even share is 4 each; 7-3-2 puts 58% of the work on one pod.
    expect(Math.max(...counts), counts.join('-')).toBeLessThanOrEqual(5);
  });
});
