/**
 * The marks that keep a merged state from counting twice must outlive the
 * dedupe retention: a partition can be rebuilt, and its merged states sent
 * again, long after the merge (the e2e partition tests cover the sending).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PulseStore } from '@pulse/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { markMergedStateApplied } from '../src/partition/merged-state.js';

describe('merged-state marks', () => {
  let dir: string;
  let store: PulseStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulse-marks-'));
    store = PulseStore.open({ path: dir });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are kept when the dedupe retention prunes every other message id', () => {
    const appliedAtMs = Date.now();
    store.transaction(() => {
      store.rememberMessage('order-1', appliedAtMs);
      markMergedStateApplied(store, 'p2a');
    });
    // A cut-off after both were written: everything the retention governs goes.
    store.transaction(() => store.pruneDedupe(appliedAtMs + 60_000));
    expect(store.isDuplicate('order-1')).toBe(false);
    expect(store.isDuplicate('merged-state:p2a')).toBe(true);
  });
});
