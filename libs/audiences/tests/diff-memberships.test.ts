import { describe, expect, it } from 'vitest';
import { diffMemberships } from '@pulse/audiences';

describe('diffMemberships', () => {
  it.each([
    [[], [], [], []],
    [[], ['uk'], ['uk'], []],
    [['uk'], [], [], ['uk']],
    [['lapsed', 'uk'], ['repeat_buyers_7d', 'uk'], ['repeat_buyers_7d'], ['lapsed']],
    [['uk', 'big'], ['vip', 'big', 'alpha'], ['alpha', 'vip'], ['uk']],
    [['uk', 'uk'], ['uk'], [], []],
  ])('from %j to %j enters %j and exits %j', (before, after, entered, exited) => {
    expect(diffMemberships(before, after)).toEqual({ entered, exited });
  });
});
