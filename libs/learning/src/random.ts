import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * A source of random numbers for exploration. Seeded ones replay exactly,
 * which tests and simulations rely on.
 */
export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (mean 0, variance 1). */
  normal(): number;
}

/** A seeded {@link Random} (xoroshiro128+ from pure-rand): the same seed gives the same draws. */
export function createRandom(seed: number): Random {
  const generator = xoroshiro128plus(mixSeed(seed));
  // The first outputs of a freshly seeded xoroshiro are poorly mixed: skip them.
  for (let i = 0; i < WARM_UP_DRAWS; i++) generator.next();
  return new SeededRandom(generator);
}

const WARM_UP_DRAWS = 32;

/** Spreads nearby seeds (1, 2, 3, ...) over the whole 32-bit range (MurmurHash3's finalizer). */
function mixSeed(seed: number): number {
  let h = seed | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

class SeededRandom implements Random {
  // Box-Muller yields normals in pairs; the second waits here until asked for.
  private spareNormal: number | undefined;

  constructor(private readonly generator: RandomGenerator) {}

  uniform(): number {
    return uniformFloat64(this.generator);
  }

  normal(): number {
    const spare = this.spareNormal;
    if (spare !== undefined) {
      this.spareNormal = undefined;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}

/**
 * A Gamma(shape, 1) variate by Marsaglia and Tsang's squeeze method; a shape
 * below 1 is boosted to shape + 1 and scaled back by U^(1/shape).
 */
export function sampleGamma(random: Random, shape: number): number {
  if (shape < 1) {
    const boosted = sampleGamma(random, shape + 1);
    return boosted * Math.pow(1 - random.uniform(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = random.normal();
    const t = 1 + c * z;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = 1 - random.uniform();
    // The cheap squeeze accepts most draws without a logarithm.
    if (u < 1 - 0.0331 * z * z * z * z) return d * v;
    if (Math.log(u) < 0.5 * z * z + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Beta(alpha, beta) variate as X / (X + Y) with X ~ Gamma(alpha), Y ~ Gamma(beta). */
export function sampleBeta(random: Random, alpha: number, beta: number): number {
  const x = sampleGamma(random, alpha);
  const y = sampleGamma(random, beta);
  return x / (x + y);
}
