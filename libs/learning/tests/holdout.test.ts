import { describe, expect, it } from 'vitest';
import { holdoutPoint, inHoldout } from '@pulse/learning';

const ids = Array.from({ length: 10_000 }, (_, i) => `profile-${i}`);

describe('inHoldout', () => {
  it('holds out about the configured share of profiles', () => {
    const held = ids.filter((id) => inHoldout(id, { share: 0.1, salt: 'homepage-2026' }));
    expect(held.length).toBeGreaterThan(900);
    expect(held.length).toBeLessThan(1100);
  });

  it('gives a profile the same answer every time, and a new draw under a new salt', () => {
    const a = ids.map((id) => inHoldout(id, { share: 0.5, salt: 'a' }));
    expect(ids.map((id) => inHoldout(id, { share: 0.5, salt: 'a' }))).toEqual(a);
    const b = ids.map((id) => inHoldout(id, { share: 0.5, salt: 'b' }));
    expect(b.filter((held, i) => held !== a[i]).length).toBeGreaterThan(4000);
  });

  it('holds out nobody at share 0 and everybody at share 1', () => {
    expect(ids.some((id) => inHoldout(id, { share: 0, salt: 's' }))).toBe(false);
    expect(ids.every((id) => inHoldout(id, { share: 1, salt: 's' }))).toBe(true);
    expect(inHoldout('p', undefined)).toBe(false);
  });

  it('places a profile in [0, 1)', () => {
    const point = holdoutPoint('p1', 's');
    expect(point).toBeGreaterThanOrEqual(0);
    expect(point).toBeLessThan(1);
  });
});
