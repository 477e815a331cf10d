import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDefinitions } from '@pulse/engine';
import { PulseStore, emptyProfile } from '@pulse/store';
import {
  INDEX_FINGERPRINT_KEY,
  indexFingerprint,
  indexIsStale,
  rebuildAudienceIndex,
} from '../src/audience/rebuild-index.js';

const RETAIL = resolve(import.meta.dirname, '../../../deploy/definitions/retail');
const POLICY = { nowRuleRecheckMs: 3_600_000 };

describe('rebuildAudienceIndex', () => {
  let dir: string;
  let store: PulseStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulse-rebuild-'));
    store = PulseStore.open({ path: dir, mapSizeBytes: 64 * 1024 ** 2 });
    store.transaction(() => {
      for (let i = 0; i < 2_500; i++) {
        const profile = emptyProfile(`p${i}`, 0);
        profile.traits = { country: i % 2 === 0 ? 'United Kingdom' : 'France' };
        store.putProfile(profile);
      }
    });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('indexes every profile and records what it was built from', async () => {
    const defs = loadDefinitions(RETAIL);
    const fingerprint = indexFingerprint(defs, 'wall');
    expect(indexIsStale(store, fingerprint)).toBe(true);
    const done = await rebuildAudienceIndex(store, defs, fingerprint, () => 0, POLICY);
    expect(done.profiles).toBe(2_500);
    expect(store.countMembers('uk')).toBe(1_250);
    expect(store.countMembers('international')).toBe(1_250);
    expect(indexIsStale(store, fingerprint)).toBe(false);
    expect(indexIsStale(store, indexFingerprint(defs, 'event'))).toBe(true);
  });

  it('leaves the index stale for every fingerprint when overtaken part-way', async () => {
    const defs = loadDefinitions(RETAIL);
    const fingerprint = indexFingerprint(defs, 'wall');
    await rebuildAudienceIndex(store, defs, fingerprint, () => 0, POLICY);
    let chunks = 0;
    await rebuildAudienceIndex(
      store,
      defs,
      fingerprint,
      () => 0,
      POLICY,
      () => chunks++ < 1,
    );
    expect(store.meta.get(INDEX_FINGERPRINT_KEY)).toBe('');
    expect(indexIsStale(store, fingerprint)).toBe(true);
  });
});
