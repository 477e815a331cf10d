import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@pulse/logging';
import { PulseStore } from '@pulse/store';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAudienceSizes } from '../src/observe/audience-sizes.js';

/** `pulse_audience_members` samples by audience, read from Prometheus text. */
async function members(registry: Registry): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for (const line of (await registry.metrics()).split('\n')) {
    const match = /^pulse_audience_members\{audience="([^"]+)"\} (\d+)$/.exec(line);
    if (match) found[match[1]!] = Number(match[2]);
  }
  return found;
}

describe('startAudienceSizes', () => {
  let dir: string;
  let store: PulseStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulse-sizes-'));
    store = PulseStore.open({ path: dir, mapSizeBytes: 64 * 1024 ** 2 });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts each audience exactly, across chunks and beside a prefixed id', async () => {
    store.transaction(() => {
      for (let i = 0; i < 25_001; i += 1) store.setMember('a', `p${i}`, true);
      for (const id of ['q1', 'q2']) store.setMember('ab', id, true);
      store.setMember('a', 'p7', false);
    });
    const registry = new Registry();
    const sizes = startAudienceSizes({
      registry,
      store,
      audienceIds: () => ['a', 'ab', 'empty'],
      logger: silentLogger(),
      intervalMs: 60_000,
    });
    await sizes.refresh();

    expect(await members(registry)).toEqual({ a: 25_000, ab: 2, empty: 0 });
    sizes.stop();
  });

  it('drops an audience that is no longer defined at the next recount', async () => {
    store.transaction(() => store.setMember('old', 'p1', true));
    let ids = ['old'];
    const registry = new Registry();
    const sizes = startAudienceSizes({
      registry,
      store,
      audienceIds: () => ids,
      logger: silentLogger(),
      intervalMs: 60_000,
    });
    await sizes.refresh();
    expect(await members(registry)).toEqual({ old: 1 });

    ids = [];
    await sizes.refresh();
    expect(await members(registry)).toEqual({});
    sizes.stop();
  });
});
