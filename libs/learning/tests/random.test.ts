import { describe, expect, it } from 'vitest';
import { createRandom, resolveLearningOptions, sampleBeta, sampleGamma } from '@pulse/learning';

function mean(draw: () => number, n = 20_000): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += draw();
  return sum / n;
}

describe('createRandom', () => {
  it('replays the same draws for the same seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const draws = (r: typeof a) => [r.uniform(), r.normal(), r.uniform()];
    expect(draws(a)).toEqual(draws(b));
    expect(draws(createRandom(43))).not.toEqual(draws(createRandom(42)));
  });

  it.each([
    ['Beta(2, 5)', (r: ReturnType<typeof createRandom>) => sampleBeta(r, 2, 5), 2 / 7],
    ['Beta(0.5, 0.5)', (r: ReturnType<typeof createRandom>) => sampleBeta(r, 0.5, 0.5), 0.5],
    ['Gamma(0.5)', (r: ReturnType<typeof createRandom>) => sampleGamma(r, 0.5), 0.5],
    ['Gamma(3)', (r: ReturnType<typeof createRandom>) => sampleGamma(r, 3), 3],
  ])('draws %s with the right mean', (_name, draw, expected) => {
    const random = createRandom(9);
    expect(Math.abs(mean(() => draw(random)) - expected)).toBeLessThan(
      0.02 * Math.max(1, expected),
    );
  });
});

describe('resolveLearningOptions', () => {
  it.each([
    [{ ridge: 0 }, RangeError, "'ridge'"],
    [{ defaultPlacement: { temperature: 3 } }, RangeError, "'defaultPlacement.temperature'"],
    [
      { placements: { home: { maxExploreShare: 1.5 } } },
      RangeError,
      "'placements.home.maxExploreShare'",
    ],
    [
      { placements: { home: { holdout: { share: 0.1, salt: '' } } } },
      TypeError,
      "'placements.home.holdout.salt'",
    ],
    [{ context: [{ feature: 'a' }, { feature: 'a' }] }, TypeError, "'context[1].feature'"],
    [
      { priors: { lantern: { successes: -1, failures: 1 } } },
      RangeError,
      "'priors.lantern.successes'",
    ],
  ])('rejects %j naming the field', (options, errorClass, field) => {
    expect(() => resolveLearningOptions(options as never)).toThrow(errorClass);
    expect(() => resolveLearningOptions(options as never)).toThrow(field);
  });
});
