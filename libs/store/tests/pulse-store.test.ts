import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open } from 'lmdb';
import { PulseStore, emptyProfile } from '@pulse/store';

describe('PulseStore', () => {
  let dir: string;
  let store: PulseStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulse-store-'));
    store = PulseStore.open({ path: dir, mapSizeBytes: 64 * 1024 ** 2 });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits nothing of a transaction that throws', () => {
    expect(() =>
      store.transaction(() => {
        store.putProfile(emptyProfile('p1', 1));
        store.setAppliedSequence('S', 7);
        throw new Error('crash in the middle');
      }),
    ).toThrow('crash in the middle');
    expect(store.getProfile('p1')).toBeUndefined();
    expect(store.appliedSequence('S')).toBe(0);
  });

  it('sees its own writes inside a transaction', () => {
    store.transaction(() => {
      store.rememberMessage('m1', 1_000);
      expect(store.isDuplicate('m1')).toBe(true);
      store.linkIdentifier('user_id', 'u1', 'p1');
      expect(store.profileIdOf('user_id', 'u1')).toBe('p1');
    });
  });

  it('counts profiles, after a removal too', () => {
    store.transaction(() => {
      for (const id of ['p1', 'p2', 'p3']) store.putProfile(emptyProfile(id, 1));
      store.deleteProfile('p2');
    });
    expect(store.countProfiles()).toBe(2);
  });

  it('lists and counts exactly one audience by range', () => {
    store.transaction(() => {
      store.setMember('a', 'p2', true);
      store.setMember('a', 'p1', true);
      store.setMember('ab', 'p3', true);
      store.setMember('b', 'p4', true);
      store.setMember('a', 'p2', false);
    });
    expect([...store.memberIds('a')]).toEqual(['p1']);
    expect(store.countMembers('ab')).toBe(1);
    expect(store.isMember('b', 'p4')).toBe(true);
  });

  it('prunes message ids applied before the cutoff only', () => {
    store.transaction(() => {
      store.rememberMessage('old', 1_000);
      store.rememberMessage('edge', 2_000);
      store.rememberMessage('new', 3_000);
    });
    const pruned = store.transaction(() => store.pruneDedupe(2_000));
    expect(pruned).toBe(1);
    expect(store.isDuplicate('old')).toBe(false);
    expect(store.isDuplicate('edge')).toBe(true);
    expect(store.isDuplicate('new')).toBe(true);
  });

  it('keeps identifiers with unicode and NUL-free separators apart', () => {
    store.transaction(() => {
      store.linkIdentifier('user_id', 'ü', 'p1');
      store.linkIdentifier('user_id', 'u', 'p2');
    });
    expect(store.profileIdOf('user_id', 'ü')).toBe('p1');
    expect(store.profileIdOf('user_id', 'u')).toBe('p2');
  });
});

describe('PulseStore rechecks', () => {
  it('returns due profiles earliest first and forgets moved ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulse-store-'));
    const store = PulseStore.open({ path: dir, mapSizeBytes: 64 * 1024 ** 2 });
    store.transaction(() => {
      store.scheduleRecheck('late', null, 3_000);
      store.scheduleRecheck('early', null, 1_000);
      store.scheduleRecheck('edge', null, 2_000);
      store.scheduleRecheck('moved', null, 500);
      store.scheduleRecheck('moved', 500, 9_000);
    });
    expect(store.dueRechecks(2_000, 10)).toEqual(['early', 'edge']);
    expect(store.dueRechecks(10_000, 2)).toEqual(['early', 'edge']);
    expect(store.dueRechecks(10_000, 10)).toEqual(['early', 'edge', 'late', 'moved']);
    void store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('PulseStore contact and decision records', () => {
  it('reads what was written before they shared structures, and both kinds after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulse-store-'));
    const contact = (n: number) => ({
      offers: { a: { shown: [1, n], lastMs: 1_700_000_000_000 } },
    });
    const decision = (n: number) => ({ decisionId: `d${n}`, chosen: ['a', 'b'], decidedAtMs: n });
    // What an earlier version wrote: records that carry their own structure.
    const before = open({ path: dir, maxDbs: 32 });
    const oldContacts = before.openDB({ name: 'contacts' });
    const oldDecisions = before.openDB({ name: 'decisions' });
    oldContacts.putSync('p1', contact(1));
    oldDecisions.putSync('d1', decision(1));
    await before.close();

    const store = PulseStore.open({ path: dir, mapSizeBytes: 64 * 1024 ** 2 });
    store.transaction(() => {
      store.contacts.putSync('p2', contact(2));
      store.decisions.putSync('d2', decision(2));
    });
    expect(store.contacts.get('p1')).toEqual(contact(1));
    expect(store.contacts.get('p2')).toEqual(contact(2));
    expect(store.decisions.get('d1')).toEqual(decision(1));
    expect(store.decisions.get('d2')).toEqual(decision(2));
    await store.close();

    const reopened = PulseStore.open({ path: dir, mapSizeBytes: 64 * 1024 ** 2 });
    expect(reopened.contacts.get('p1')).toEqual(contact(1));
    expect(reopened.contacts.get('p2')).toEqual(contact(2));
    expect(reopened.decisions.get('d2')).toEqual(decision(2));
    await reopened.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
