import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PulseStore, emptyProfile } from '@pulse/store';

const INITIAL_MAP_BYTES = 1024 ** 2;
const PROFILES = 400;
const TRAIT_BYTES = 20_000;

/** A trait value of `bytes` characters that differs per profile, so nothing compresses away. */
function filler(id: number, bytes: number): string {
  return `${id}:`.padEnd(bytes, String.fromCharCode(97 + (id % 26)));
}

describe('PulseStore map growth', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulse-map-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes far more than its initial map size and reads all of it back', async () => {
    const store = PulseStore.open({ path: dir, mapSizeBytes: INITIAL_MAP_BYTES });
    for (let batch = 0; batch < PROFILES; batch += 50) {
      store.transaction(() => {
        for (let i = batch; i < batch + 50; i += 1) {
          const profile = emptyProfile(`p${i}`, 1);
          profile.traits = { note: filler(i, TRAIT_BYTES) };
          store.putProfile(profile);
        }
      });
    }
    await store.close();

    // 400 × 20 kB of traits is 8 MB, over seven times the 1 MiB map it was opened with.
    expect(PROFILES * TRAIT_BYTES).toBeGreaterThan(7 * INITIAL_MAP_BYTES);
    expect(statSync(join(dir, 'data.mdb')).size).toBeGreaterThan(PROFILES * TRAIT_BYTES);
    const reopened = PulseStore.open({ path: dir, mapSizeBytes: INITIAL_MAP_BYTES });
    expect(reopened.countProfiles()).toBe(PROFILES);
    for (const i of [0, 199, 399]) {
      expect(reopened.getProfile(`p${i}`)?.traits).toEqual({ note: filler(i, TRAIT_BYTES) });
    }
    await reopened.close();
  });

  it('reports its file size, used pages and map size', async () => {
    const store = PulseStore.open({ path: dir, mapSizeBytes: INITIAL_MAP_BYTES });
    store.transaction(() => {
      const profile = emptyProfile('p1', 1);
      profile.traits = { note: filler(1, 3 * INITIAL_MAP_BYTES) };
      store.putProfile(profile);
    });
    const size = store.size();
    expect(size.fileBytes).toBe(statSync(join(dir, 'data.mdb')).size);
    expect(size.usedBytes).toBeGreaterThan(3 * INITIAL_MAP_BYTES);
    expect(size.usedBytes).toBeLessThanOrEqual(size.fileBytes);
    expect(size.mapBytes).toBeGreaterThanOrEqual(size.usedBytes);
    await store.close();
  });
});
