import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  recordContact,
  recordDecision,
  recordFeedback,
  resolveLearningOptions,
} from '@pulse/learning';
import { harness, T0 } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'pulse-learning-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('learning state in LMDB', () => {
  it('stores learner, contact and decision state as plain msgpack values and reads them back equal', async () => {
    const options = {
      context: [{ feature: 'spend_30d' }],
      defaultPlacement: { model: 'linear' as const },
    };
    const h = harness(options);
    const decision = h.decideAt(T0);
    recordDecision(h.learner, decision);
    const offerId = decision.offers[0]?.offerId as string;
    const feedback = {
      decisionId: decision.decisionId,
      offerId,
      kind: 'clicked' as const,
      atMs: T0 + 1,
    };
    recordFeedback(h.learner, decision.record, feedback, resolveLearningOptions(options));
    recordContact(h.contact, { kind: 'impression', offerId, atMs: T0 });

    const db = open({ path: dir });
    try {
      await db.put('learner', h.learner);
      await db.put('contact', h.contact);
      await db.put('decision', decision.record);
      expect(db.get('learner')).toEqual(h.learner);
      expect(db.get('contact')).toEqual(h.contact);
      expect(db.get('decision')).toEqual(decision.record);
    } finally {
      await db.close();
    }
  });
});
